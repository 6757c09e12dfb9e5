//! Keyset pagination by id: a page holds up to `limit` items whose id sorts after `after`,
//! so every item turns up exactly once however the list changes between pages.

use serde::Serialize;

/// Items per page when the request names no limit.
pub const DEFAULT_LIMIT: u32 = 50;
/// The most items a page holds.
pub const MAX_LIMIT: u32 = 200;

/// Which page of a list to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// Items wanted: [`DEFAULT_LIMIT`] when `None`, between 1 and [`MAX_LIMIT`] otherwise.
    pub limit: Option<u32>,
    /// The id after which the page starts (the previous page's `next`); `None` for the first.
    pub after: Option<String>,
}

impl PageRequest {
    /// The first page, of `limit` items.
    pub fn first(limit: u32) -> Self {
        Self {
            limit: Some(limit),
            after: None,
        }
    }

    /// The page after `page`, of the same size; `None` when `page` was the last.
    pub fn next_after<T>(&self, page: &Page<T>) -> Option<Self> {
        page.next.as_ref().map(|next| Self {
            limit: self.limit,
            after: Some(next.clone()),
        })
    }

    /// The limit, defaulted and held to 1 ..= [`MAX_LIMIT`].
    pub fn limit(&self) -> u32 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }

    /// How many rows to read: one more than the limit, to tell whether another page follows.
    pub(super) fn rows(&self) -> i64 {
        i64::from(self.limit()) + 1
    }
}

/// One page of a list, in id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The id to ask the next page after; `None` on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The page of `request` from the rows read for it ([`PageRequest::rows`] at most), each
    /// with its id and turned into an item by `item`.
    pub(super) fn from_rows<R, E>(
        request: &PageRequest,
        mut rows: Vec<R>,
        id: impl Fn(&R) -> &str,
        item: impl FnMut(R) -> Result<T, E>,
    ) -> Result<Self, E> {
        let limit = request.limit() as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = rows.last().filter(|_| more).map(|r| id(r).to_owned());
        Ok(Self {
            items: rows.into_iter().map(item).collect::<Result<_, _>>()?,
            next,
        })
    }

    /// The page of `request` from every item of a short list (sessions, keys), sorted here
    /// by the id `id` gives.
    pub fn from_all(request: &PageRequest, mut all: Vec<T>, id: impl Fn(&T) -> &str) -> Self {
        all.sort_by(|a, b| id(a).cmp(id(b)));
        let after = request.after.as_deref().unwrap_or_default();
        let rows: Vec<T> = all
            .into_iter()
            .filter(|t| id(t) > after)
            .take(request.limit() as usize + 1)
            .collect();
        match Self::from_rows::<T, std::convert::Infallible>(request, rows, &id, Ok) {
            Ok(page) => page,
            Err(never) => match never {},
        }
    }
}
