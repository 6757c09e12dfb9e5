//! `GET /jwks`: the published public keys (RFC 7517), served from memory.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::state::AppState;

/// Seconds relying parties may cache the key set; short, since rotation takes effect at once.
const MAX_AGE: u32 = 300;

/// `GET /jwks`.
#[tracing::instrument(skip_all)]
pub async fn jwks(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let keys = state.keys.current();
    super::cacheable_json(&req, &keys.jwks(), keys.etag(), MAX_AGE)
}
