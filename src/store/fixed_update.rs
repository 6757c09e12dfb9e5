//! `UPDATE` statements of fixed shape that stay in the prepared-statement cache.
//!
//! diesel prepares every `UPDATE` anew, because an optional change set can change its SQL from
//! one execution to the next. An update whose change set and filter are fixed has the same SQL
//! every time; written through [`update`], it is prepared once per connection and reused.

use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression};
use diesel::query_builder::{AsChangeset, AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Bool;
use diesel::{QueryResult, RunQueryDsl, Table};

/// `UPDATE table SET changes WHERE filter`, with an optional `RETURNING` list.
pub struct FixedUpdate<T: Table, V, W, R = ()> {
    from: T::FromClause,
    changes: V,
    filter: W,
    returning: R,
    table: PhantomData<T>,
}

/// `UPDATE table SET changes WHERE filter`.
pub fn update<T, V, W>(table: T, changes: V, filter: W) -> FixedUpdate<T, V::Changeset, W>
where
    T: Table,
    V: AsChangeset<Target = T>,
    W: Expression<SqlType = Bool> + AppearsOnTable<T>,
{
    FixedUpdate {
        from: table.from_clause(),
        changes: changes.as_changeset(),
        filter,
        returning: (),
        table: PhantomData,
    }
}

impl<T: Table, V, W> FixedUpdate<T, V, W> {
    /// Adds `RETURNING columns`; the statement then yields rows.
    pub fn returning<R>(self, columns: R) -> FixedUpdate<T, V, W, Returning<R>>
    where
        R: SelectableExpression<T>,
    {
        FixedUpdate {
            from: self.from,
            changes: self.changes,
            filter: self.filter,
            returning: Returning(columns),
            table: PhantomData,
        }
    }
}

/// The `RETURNING` list of a [`FixedUpdate`].
#[derive(Debug, Clone, Copy)]
pub struct Returning<R>(R);

impl<T, V, W, R, DB> QueryFragment<DB> for FixedUpdate<T, V, W, R>
where
    DB: Backend,
    T: Table,
    T::FromClause: QueryFragment<DB>,
    V: QueryFragment<DB>,
    W: QueryFragment<DB>,
    R: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        self.from.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        self.changes.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE ");
        self.filter.walk_ast(out.reborrow())?;
        self.returning.walk_ast(out.reborrow())
    }
}

impl<R, DB> QueryFragment<DB> for Returning<R>
where
    DB: Backend,
    R: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(" RETURNING ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<T: Table, V, W, R> QueryId for FixedUpdate<T, V, W, R> {
    type QueryId = ();
    // Keyed in the statement cache by its SQL text, which never varies.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<T: Table, V, W, R: Expression> Query for FixedUpdate<T, V, W, Returning<R>> {
    type SqlType = R::SqlType;
}

impl<T: Table, V, W, R, C> RunQueryDsl<C> for FixedUpdate<T, V, W, R> {}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sqlite::Sqlite;

    use super::update;
    use crate::store::schema::sessions::dsl as s;

    #[test]
    fn renders_the_update_it_stands_for() {
        let touch = update(s::sessions, s::last_seen.eq(5_i64), s::id_hash.eq("h"));
        assert_eq!(
            diesel::debug_query::<Sqlite, _>(&touch).to_string(),
            "UPDATE `sessions` SET `last_seen` = ? WHERE (`sessions`.`id_hash` = ?) -- binds: [5, \"h\"]"
        );
    }

    #[test]
    fn renders_a_returning_list() {
        let spend =
            update(s::sessions, s::last_seen.eq(5_i64), s::id_hash.eq("h")).returning(s::sid);
        assert_eq!(
            diesel::debug_query::<Sqlite, _>(&spend).to_string(),
            "UPDATE `sessions` SET `last_seen` = ? WHERE (`sessions`.`id_hash` = ?) RETURNING `sessions`.`sid` -- binds: [5, \"h\"]"
        );
    }
}
