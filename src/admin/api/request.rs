//! Reading admin API requests and shaping their answers: JSON bodies (400 when not JSON),
//! `If-Match` (428 when missing), `limit` and the opaque `cursor`, items with their `ETag`,
//! creations with their `Location`, and pages as `{"items", "next_cursor"}`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, EntityTag, Header, IfMatch};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use utoipa::IntoParams;

use super::problem::Problem;
use crate::manage::{MAX_LIMIT, Page, PageRequest, Precondition, etag};
use crate::state::AppState;

/// The body as JSON; anything else is 400.
pub fn json_body(body: &[u8]) -> Result<Value, Problem> {
    serde_json::from_slice(body)
        .map_err(|e| Problem::bad_request(format!("the body is not valid JSON: {e}")))
}

/// The body as `T`; not JSON is 400, JSON of the wrong shape 422 naming the member.
pub fn typed_body<T: for<'de> Deserialize<'de>>(
    body: &[u8],
    error: &'static str,
) -> Result<T, Problem> {
    let value = json_body(body)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let reason = e.inner().to_string();
        // An unknown or missing member is named by serde in backquotes.
        let name = match path.as_str() {
            "." | "" => reason.split('`').nth(1).unwrap_or_default().to_owned(),
            p => p.to_owned(),
        };
        Problem::invalid(error, Some(&name), reason)
    })
}

/// The request's `If-Match` as a precondition; missing is 428.
pub fn precondition(req: &HttpRequest) -> Result<Precondition, Problem> {
    if !req.headers().contains_key(header::IF_MATCH) {
        return Err(Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "send If-Match with the ETag of the item as last read",
        ));
    }
    match IfMatch::parse(req) {
        Ok(IfMatch::Any) => Ok(Precondition::Any),
        Ok(IfMatch::Items(tags)) => Ok(Precondition::Tags(
            tags.into_iter()
                .filter(|t| !t.weak)
                .map(|t| t.tag().to_owned())
                .collect(),
        )),
        Err(_) => Err(Problem::bad_request(
            "If-Match is not a list of entity tags",
        )),
    }
}

/// `limit` and `cursor` of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page: 1 to 200, default 50.
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Signs and reads cursors: the position, and a MAC binding it to its list under a key
/// derived from the KEK, so a cursor is opaque, works on every process of a deployment and
/// an altered or foreign one is refused.
fn mac(state: &AppState, list: &str, position: &str) -> Result<Vec<u8>, Problem> {
    let key = state
        .keys
        .kek()
        .derive("admin api cursor")
        .map_err(|e| Problem::internal(&e))?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(|e| Problem::internal(&e))?;
    mac.update(list.as_bytes());
    mac.update(b"\0");
    mac.update(position.as_bytes());
    Ok(mac.finalize().into_bytes()[..16].to_vec())
}

fn encode(state: &AppState, list: &str, position: &str) -> Result<String, Problem> {
    let tag = mac(state, list, position)?;
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(position),
        URL_SAFE_NO_PAD.encode(tag)
    ))
}

fn decode(state: &AppState, list: &str, cursor: &str) -> Result<String, Problem> {
    let unknown = || Problem::bad_request("unknown cursor");
    let (position, tag) = cursor.split_once('.').ok_or_else(unknown)?;
    let position = URL_SAFE_NO_PAD.decode(position).map_err(|_| unknown())?;
    let position = String::from_utf8(position).map_err(|_| unknown())?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| unknown())?;
    let expected = mac(state, list, &position)?;
    if !bool::from(expected.ct_eq(&tag)) {
        return Err(unknown());
    }
    Ok(position)
}

impl ListQuery {
    /// The page asked of the list `list`: a limit outside 1 ..= 200 is 422, an unknown
    /// cursor 400.
    pub fn page(&self, state: &AppState, list: &str) -> Result<PageRequest, Problem> {
        let limit = match self.limit.as_deref() {
            None => None,
            Some(raw) => match raw.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => Some(n),
                _ => {
                    return Err(Problem::invalid(
                        "invalid_request",
                        Some("limit"),
                        format!("limit must be an integer from 1 to {MAX_LIMIT}"),
                    ));
                }
            },
        };
        let after = self
            .cursor
            .as_deref()
            .map(|c| decode(state, list, c))
            .transpose()?;
        Ok(PageRequest { limit, after })
    }
}

/// A page as `{"items": […], "next_cursor": …}`.
pub fn page<T: Serialize>(
    state: &AppState,
    list: &str,
    page: Page<T>,
) -> Result<HttpResponse, Problem> {
    let next = page
        .next
        .as_deref()
        .map(|n| encode(state, list, n))
        .transpose()?;
    Ok(no_store(StatusCode::OK).json(json!({"items": page.items, "next_cursor": next})))
}

fn no_store(status: StatusCode) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    res
}

/// An item with its `ETag` (of `view`, what a later `If-Match` compares), as `body`.
pub fn item(view: &impl Serialize, body: &impl Serialize) -> HttpResponse {
    no_store(StatusCode::OK)
        .insert_header(header::ETag(EntityTag::new_strong(etag(view))))
        .json(body)
}

/// A 201 for an item created at `location`, with its `ETag`.
pub fn created(location: &str, view: &impl Serialize, body: &impl Serialize) -> HttpResponse {
    no_store(StatusCode::CREATED)
        .insert_header((header::LOCATION, location))
        .insert_header(header::ETag(EntityTag::new_strong(etag(view))))
        .json(body)
}

/// A 200 with a JSON body and no tag (an action's outcome).
pub fn done(body: &impl Serialize) -> HttpResponse {
    no_store(StatusCode::OK).json(body)
}

/// A 204.
pub fn gone() -> HttpResponse {
    no_store(StatusCode::NO_CONTENT).finish()
}

/// The body bytes extractor the handlers take.
pub type Body = web::Bytes;
