//! Schema types of the OpenAPI document that the handlers' own types do not give: any JSON
//! object (RFC 7591 metadata, an item's view), and the problem answers every operation can
//! give.

use utoipa::{IntoResponses, ToSchema};

use super::problem::Problem;

/// A JSON object: client metadata (RFC 7591), a resource's or trusted issuer's metadata, or
/// an item as the API shows it.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: never built
pub struct Json(serde_json::Map<String, serde_json::Value>);

/// The problem details (RFC 9457) an operation answers with.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Errors {
    /// The body is not JSON, or the cursor unknown.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No bearer token, or a bad one (`WWW-Authenticate: Bearer`).
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// A valid token without the `sigil:admin` scope.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No item with this id.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The change clashes with what exists (a taken username).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The `If-Match` tag is stale.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// Invalid input: `error` and `invalid_params` name the fault.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
    /// `PUT` or `PATCH` without `If-Match`.
    #[response(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Problem),
}
