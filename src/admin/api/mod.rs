//! The admin API at `/admin/api/v1` (INTERFACE.md "Administration"): JSON over the
//! management core, for a bearer token with the `sigil:admin` scope, errors as RFC 9457
//! problem details, described by an OpenAPI 3.1 document generated from the handlers.
//!
//! [`endpoints`] is the one table of its routes: [`routes`] registers them and the document
//! lists them, so a test can check that neither drifts from the other.

mod auth;
mod clients;
mod impersonations;
mod operations;
mod problem;
mod registries;
mod request;
mod schema;
mod users;

use actix_web::dev::ServiceResponse;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpResponse, Route, web};
use utoipa::OpenApi;

pub use auth::{ADMIN_SCOPE, Admin};
pub use problem::{InvalidParam, Problem};

/// Where the admin API lives.
pub const PREFIX: &str = "/admin/api/v1";

/// Where its OpenAPI document is served (without a token).
pub const OPENAPI_PATH: &str = "/admin/api/v1/openapi.json";

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "sigil admin API", description = "Manage clients, users, resources, trusted issuers, sessions, impersonations, keys and read the audit log. Every operation takes a bearer access token with the sigil:admin scope."),
    paths(
        clients::list, clients::create, clients::get, clients::replace, clients::patch,
        clients::delete, clients::rotate_secret,
        users::list, users::create, users::get, users::replace, users::patch,
        users::set_password, users::set_roles, users::sign_out, users::roles, users::role,
        registries::list_resources, registries::create_resource, registries::get_resource,
        registries::delete_resource, registries::list_trusted_issuers,
        registries::create_trusted_issuer, registries::get_trusted_issuer,
        registries::delete_trusted_issuer,
        operations::list_sessions, operations::end_session, operations::list_keys,
        operations::rotate_keys, operations::audit,
        impersonations::list, impersonations::stop,
    ),
    components(schemas(Problem, InvalidParam)),
    modifiers(&BearerAuth),
    security(("bearer" = ["sigil:admin"]))
)]
pub struct ApiDoc;

/// Declares the bearer scheme every operation takes.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Every route of the admin API: method, path and handler, in matching order.
pub fn endpoints() -> Vec<(Method, &'static str, Route)> {
    use {clients as c, impersonations as i, operations as o, registries as r, users as u};
    vec![
        (Method::GET, "/admin/api/v1/clients", web::get().to(c::list)),
        (
            Method::POST,
            "/admin/api/v1/clients",
            web::post().to(c::create),
        ),
        (
            Method::GET,
            "/admin/api/v1/clients/{client_id}",
            web::get().to(c::get),
        ),
        (
            Method::PUT,
            "/admin/api/v1/clients/{client_id}",
            web::put().to(c::replace),
        ),
        (
            Method::PATCH,
            "/admin/api/v1/clients/{client_id}",
            web::patch().to(c::patch),
        ),
        (
            Method::DELETE,
            "/admin/api/v1/clients/{client_id}",
            web::delete().to(c::delete),
        ),
        (
            Method::POST,
            "/admin/api/v1/clients/{client_id}/secret",
            web::post().to(c::rotate_secret),
        ),
        (Method::GET, "/admin/api/v1/users", web::get().to(u::list)),
        (
            Method::POST,
            "/admin/api/v1/users",
            web::post().to(u::create),
        ),
        (
            Method::GET,
            "/admin/api/v1/users/{id}",
            web::get().to(u::get),
        ),
        (
            Method::PUT,
            "/admin/api/v1/users/{id}",
            web::put().to(u::replace),
        ),
        (
            Method::PATCH,
            "/admin/api/v1/users/{id}",
            web::patch().to(u::patch),
        ),
        (
            Method::POST,
            "/admin/api/v1/users/{id}/password",
            web::post().to(u::set_password),
        ),
        (
            Method::POST,
            "/admin/api/v1/users/{id}/roles",
            web::post().to(u::set_roles),
        ),
        (
            Method::POST,
            "/admin/api/v1/users/{id}/signout",
            web::post().to(u::sign_out),
        ),
        (Method::GET, "/admin/api/v1/roles", web::get().to(u::roles)),
        (
            Method::GET,
            "/admin/api/v1/roles/{name}",
            web::get().to(u::role),
        ),
        (
            Method::GET,
            "/admin/api/v1/resources",
            web::get().to(r::list_resources),
        ),
        (
            Method::POST,
            "/admin/api/v1/resources",
            web::post().to(r::create_resource),
        ),
        (
            Method::GET,
            "/admin/api/v1/resources/{id}",
            web::get().to(r::get_resource),
        ),
        (
            Method::DELETE,
            "/admin/api/v1/resources/{id}",
            web::delete().to(r::delete_resource),
        ),
        (
            Method::GET,
            "/admin/api/v1/trusted-issuers",
            web::get().to(r::list_trusted_issuers),
        ),
        (
            Method::POST,
            "/admin/api/v1/trusted-issuers",
            web::post().to(r::create_trusted_issuer),
        ),
        (
            Method::GET,
            "/admin/api/v1/trusted-issuers/{id}",
            web::get().to(r::get_trusted_issuer),
        ),
        (
            Method::DELETE,
            "/admin/api/v1/trusted-issuers/{id}",
            web::delete().to(r::delete_trusted_issuer),
        ),
        (
            Method::GET,
            "/admin/api/v1/sessions",
            web::get().to(o::list_sessions),
        ),
        (
            Method::DELETE,
            "/admin/api/v1/sessions/{sid}",
            web::delete().to(o::end_session),
        ),
        (
            Method::GET,
            "/admin/api/v1/keys",
            web::get().to(o::list_keys),
        ),
        (
            Method::POST,
            "/admin/api/v1/keys/rotate",
            web::post().to(o::rotate_keys),
        ),
        (
            Method::GET,
            "/admin/api/v1/impersonations",
            web::get().to(i::list),
        ),
        (
            Method::DELETE,
            "/admin/api/v1/impersonations/{id}",
            web::delete().to(i::stop),
        ),
        (Method::GET, "/admin/api/v1/audit", web::get().to(o::audit)),
    ]
}

/// The method and path of every route in [`endpoints`].
pub fn route_list() -> Vec<(Method, &'static str)> {
    endpoints().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// `GET /admin/api/v1/openapi.json`.
#[tracing::instrument(skip_all)]
async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// Any other path under the prefix: a 404 problem.
async fn no_route() -> HttpResponse {
    use actix_web::ResponseError;
    Problem::new(
        actix_web::http::StatusCode::NOT_FOUND,
        "no admin API operation at this path",
    )
    .error_response()
}

/// A body over the size actix reads (256 KiB): the 413 as a problem like every other error.
fn too_large<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    use actix_web::ResponseError;
    let problem = Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the body is larger than the admin API reads (256 KiB)",
    )
    .error_response();
    let (req, _) = res.into_parts();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, problem).map_into_right_body(),
    ))
}

/// A method the path does not take: a 405 problem.
async fn no_method() -> HttpResponse {
    use actix_web::ResponseError;
    Problem::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "the path does not take this method",
    )
    .error_response()
}

/// Registers the admin API under [`PREFIX`]: each path one resource holding its methods'
/// routes; anything else under the prefix answers a problem.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<(&'static str, Vec<Route>)> = Vec::new();
    for (_, path, route) in endpoints() {
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, routes)) => routes.push(route),
            None => paths.push((path, vec![route])),
        }
    }
    let openapi_path = OPENAPI_PATH.strip_prefix(PREFIX).unwrap_or(OPENAPI_PATH);
    // A query string that does not parse (a repeated parameter) is a 400 problem too.
    let query = web::QueryConfig::default()
        .error_handler(|e, _| Problem::bad_request(format!("unreadable query: {e}")).into());
    let too_large = ErrorHandlers::new().handler(StatusCode::PAYLOAD_TOO_LARGE, too_large);
    let mut scope = web::scope(PREFIX)
        .wrap(too_large)
        .app_data(query)
        .route(openapi_path, web::get().to(openapi))
        .default_service(web::to(no_route));
    for (path, routes) in paths {
        let relative = path.strip_prefix(PREFIX).unwrap_or(path);
        let resource = routes
            .into_iter()
            .fold(web::resource(relative), |res, route| res.route(route))
            .default_service(web::to(no_method));
        scope = scope.service(resource);
    }
    cfg.service(scope);
}
