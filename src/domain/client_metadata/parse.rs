//! Turning a JSON document into [`ClientMetadata`]: defaults and consistency rules.

use serde_json::Value;

use super::checks::{
    KeysAt, check_jwks, encryption, request_object_encryption, request_object_signing_alg,
    secure_url, signing_alg, text, web_url,
};
use super::fields::{Fields, dedup, invalid, kind, parse_all, parse_document, parse_opt};
use super::{
    ApplicationType, ClientMetadata, GrantType, MetadataPolicy, ResponseType,
    TokenEndpointAuthMethod,
};
use crate::domain::metadata_error::{MetadataError, MetadataErrorCode, quoted};
use crate::domain::redirect_uri::RedirectUri;
use crate::domain::scope::Scope;

/// Every member name `from_value` accepts.
pub(super) const KNOWN_FIELDS: &[&str] = &[
    "redirect_uris",
    "grant_types",
    "response_types",
    "token_endpoint_auth_method",
    "application_type",
    "scope",
    "client_name",
    "client_uri",
    "logo_uri",
    "policy_uri",
    "tos_uri",
    "contacts",
    "jwks",
    "jwks_uri",
    "id_token_signed_response_alg",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "userinfo_signed_response_alg",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
    "introspection_encrypted_response_alg",
    "introspection_encrypted_response_enc",
    "request_object_signing_alg",
    "request_object_encryption_alg",
    "request_object_encryption_enc",
    "token_endpoint_auth_signing_alg",
    "post_logout_redirect_uris",
    "backchannel_logout_uri",
    "backchannel_logout_session_required",
    "default_max_age",
    "require_auth_time",
    "software_id",
    "software_version",
    "sigil_first_party",
    "sigil_access_token_lifetime",
    "sigil_refresh_token_lifetime",
    "sigil_refresh_token_absolute_lifetime",
    "sigil_refresh_token_grace_period",
    "sigil_token_exchange",
];

/// Members a registration response carries but a request may not.
const SERVER_ASSIGNED: &[&str] = &[
    "client_id",
    "client_secret",
    "client_id_issued_at",
    "client_secret_expires_at",
    "registration_access_token",
    "registration_client_uri",
];

const MAX_NAME_CHARS: usize = 200;
const MAX_CONTACT_CHARS: usize = 320;
const MAX_ACCESS_TOKEN_LIFETIME: u64 = 86_400;
/// Longest refresh-token lifetime a client may register (one year).
const MAX_REFRESH_TOKEN_LIFETIME: u64 = 31_536_000;
/// Longest grace window for presenting the previous refresh token again.
pub const MAX_REFRESH_GRACE_PERIOD: u64 = 10;

/// Parses `json`, refusing syntax errors, non-objects and duplicate members.
pub(super) fn from_json(
    json: &str,
    policy: &MetadataPolicy<'_>,
) -> Result<ClientMetadata, MetadataError> {
    from_value(parse_document(json).map_err(invalid)?, policy)
}

/// Checks every member, fills in defaults and enforces the consistency rules.
pub(super) fn from_value(
    value: Value,
    policy: &MetadataPolicy<'_>,
) -> Result<ClientMetadata, MetadataError> {
    let map = match value {
        Value::Object(map) => map,
        other => {
            return Err(invalid(format!(
                "metadata must be a JSON object, not {}",
                kind(&other)
            )));
        }
    };
    if let Some(name) = map.keys().find(|k| !KNOWN_FIELDS.contains(&k.as_str())) {
        return Err(unknown_field(name));
    }
    let mut f = Fields::new(map);

    let application_type: ApplicationType = parse_opt(f.string("application_type")?)?;
    let auth_method: TokenEndpointAuthMethod = parse_opt(f.string("token_endpoint_auth_method")?)?;

    let grant_types = match f.strings("grant_types")? {
        None => vec![GrantType::AuthorizationCode],
        Some(v) if v.is_empty() => {
            return Err(invalid(
                "grant_types must not be empty (omit it to default to authorization_code)",
            ));
        }
        Some(v) => parse_all(&v)?,
    };
    let code_grant = grant_types.contains(&GrantType::AuthorizationCode);
    let response_types = match f.strings("response_types")? {
        None if code_grant => vec![ResponseType::Code],
        None => Vec::new(),
        Some(v) => parse_all(&v)?,
    };
    check_grants(&grant_types, &response_types, auth_method)?;
    let token_exchange = f
        .take("sigil_token_exchange")
        .map(|v| super::exchange::parse(v, &grant_types))
        .transpose()?;

    let redirect_uris = f.strings("redirect_uris")?.unwrap_or_default();
    if code_grant && redirect_uris.is_empty() {
        return Err(MetadataError::invalid_redirect_uri(
            "at least one redirect URI is required for the authorization_code grant",
        ));
    }
    if !code_grant && !redirect_uris.is_empty() {
        return Err(MetadataError::invalid_redirect_uri(
            "redirect_uris must be empty for a client without the authorization_code grant",
        ));
    }
    let redirect_uris = dedup(
        redirect_uris
            .iter()
            .map(|uri| RedirectUri::parse(uri, application_type))
            .collect::<Result<_, _>>()?,
    );
    let post_logout_redirect_uris = dedup(
        f.strings("post_logout_redirect_uris")?
            .unwrap_or_default()
            .iter()
            .map(|uri| {
                RedirectUri::parse_as(
                    uri,
                    application_type,
                    "post-logout redirect URI",
                    MetadataErrorCode::InvalidClientMetadata,
                )
            })
            .collect::<Result<_, _>>()?,
    );

    let jwks = f.take("jwks").map(check_jwks).transpose()?;
    let jwks_uri = f.url("jwks_uri", secure_url)?;
    if jwks.is_some() && jwks_uri.is_some() {
        return Err(invalid(
            "jwks and jwks_uri are mutually exclusive; register only one of them",
        ));
    }
    let has_keys = jwks.is_some() || jwks_uri.is_some();
    if auth_method == TokenEndpointAuthMethod::PrivateKeyJwt && !has_keys {
        return Err(invalid(
            "token_endpoint_auth_method private_key_jwt requires jwks or jwks_uri",
        ));
    }
    let token_endpoint_auth_signing_alg =
        signing_alg(&mut f, "token_endpoint_auth_signing_alg", policy)?;
    if token_endpoint_auth_signing_alg.is_some()
        && auth_method != TokenEndpointAuthMethod::PrivateKeyJwt
    {
        return Err(invalid(
            "token_endpoint_auth_signing_alg is only allowed with \
             token_endpoint_auth_method private_key_jwt",
        ));
    }
    let keys = KeysAt {
        public: has_keys,
        secret: matches!(
            auth_method,
            TokenEndpointAuthMethod::ClientSecretBasic | TokenEndpointAuthMethod::ClientSecretPost
        ),
    };
    let (id_token_encrypted_response_alg, id_token_encrypted_response_enc) =
        encryption(&mut f, "id_token", policy, keys)?;
    let (userinfo_encrypted_response_alg, userinfo_encrypted_response_enc) =
        encryption(&mut f, "userinfo", policy, keys)?;
    let (introspection_encrypted_response_alg, introspection_encrypted_response_enc) =
        encryption(&mut f, "introspection", policy, keys)?;
    let request_object_signing_alg = request_object_signing_alg(&mut f, policy, has_keys)?;
    let (request_object_encryption_alg, request_object_encryption_enc) =
        request_object_encryption(&mut f, policy)?;

    let scope = match f.string("scope")? {
        Some(s) if s.is_empty() => {
            return Err(invalid(
                "scope must not be empty (omit it to use the server's default)",
            ));
        }
        Some(s) => Some(Scope::parse(&s).map_err(|e| invalid(e.to_string()))?),
        None => None,
    };
    let contacts = f
        .strings("contacts")?
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, c)| text(&format!("contacts[{i}]"), c, MAX_CONTACT_CHARS))
        .collect::<Result<Vec<_>, _>>()?;
    let access_token_lifetime = f.seconds("sigil_access_token_lifetime")?;
    if access_token_lifetime.is_some_and(|s| !(1..=MAX_ACCESS_TOKEN_LIFETIME).contains(&s)) {
        return Err(invalid(format!(
            "sigil_access_token_lifetime must be between 1 and {MAX_ACCESS_TOKEN_LIFETIME} seconds"
        )));
    }
    let refresh_token_lifetime = f.seconds("sigil_refresh_token_lifetime")?;
    let refresh_token_absolute_lifetime = f.seconds("sigil_refresh_token_absolute_lifetime")?;
    for (name, value) in [
        ("sigil_refresh_token_lifetime", refresh_token_lifetime),
        (
            "sigil_refresh_token_absolute_lifetime",
            refresh_token_absolute_lifetime,
        ),
    ] {
        if value.is_some_and(|s| !(1..=MAX_REFRESH_TOKEN_LIFETIME).contains(&s)) {
            return Err(invalid(format!(
                "{name} must be between 1 and {MAX_REFRESH_TOKEN_LIFETIME} seconds"
            )));
        }
    }
    if let (Some(sliding), Some(absolute)) =
        (refresh_token_lifetime, refresh_token_absolute_lifetime)
        && sliding > absolute
    {
        return Err(invalid(
            "sigil_refresh_token_lifetime must not exceed sigil_refresh_token_absolute_lifetime",
        ));
    }
    let refresh_token_grace_period = f.seconds("sigil_refresh_token_grace_period")?;
    if refresh_token_grace_period.is_some_and(|s| s > MAX_REFRESH_GRACE_PERIOD) {
        return Err(invalid(format!(
            "sigil_refresh_token_grace_period must be between 0 and {MAX_REFRESH_GRACE_PERIOD} seconds"
        )));
    }

    Ok(ClientMetadata {
        redirect_uris,
        grant_types,
        response_types,
        token_endpoint_auth_method: auth_method,
        application_type,
        scope,
        client_name: f.text("client_name", MAX_NAME_CHARS)?,
        client_uri: f.url("client_uri", web_url)?,
        logo_uri: f.url("logo_uri", web_url)?,
        policy_uri: f.url("policy_uri", web_url)?,
        tos_uri: f.url("tos_uri", web_url)?,
        contacts: dedup(contacts),
        jwks,
        jwks_uri,
        id_token_signed_response_alg: signing_alg(&mut f, "id_token_signed_response_alg", policy)?,
        id_token_encrypted_response_alg,
        id_token_encrypted_response_enc,
        userinfo_signed_response_alg: signing_alg(&mut f, "userinfo_signed_response_alg", policy)?,
        userinfo_encrypted_response_alg,
        userinfo_encrypted_response_enc,
        introspection_encrypted_response_alg,
        introspection_encrypted_response_enc,
        request_object_signing_alg,
        request_object_encryption_alg,
        request_object_encryption_enc,
        token_endpoint_auth_signing_alg,
        post_logout_redirect_uris,
        backchannel_logout_uri: f.url("backchannel_logout_uri", secure_url)?,
        backchannel_logout_session_required: f.bool("backchannel_logout_session_required")?,
        default_max_age: f.seconds("default_max_age")?,
        require_auth_time: f.bool("require_auth_time")?,
        software_id: f.text("software_id", MAX_NAME_CHARS)?,
        software_version: f.text("software_version", MAX_NAME_CHARS)?,
        first_party: f.bool("sigil_first_party")?,
        access_token_lifetime,
        refresh_token_lifetime,
        refresh_token_absolute_lifetime,
        refresh_token_grace_period: refresh_token_grace_period.filter(|&s| s > 0),
        token_exchange,
    })
}

/// The consistency rules between grant types, response types and client authentication.
fn check_grants(
    grants: &[GrantType],
    response_types: &[ResponseType],
    auth_method: TokenEndpointAuthMethod,
) -> Result<(), MetadataError> {
    let code_grant = grants.contains(&GrantType::AuthorizationCode);
    let code_response = response_types.contains(&ResponseType::Code);
    if code_grant && !code_response {
        return Err(invalid(
            "the authorization_code grant requires the \"code\" response type",
        ));
    }
    if code_response && !code_grant {
        return Err(invalid(
            "the \"code\" response type requires the authorization_code grant",
        ));
    }
    if grants.contains(&GrantType::RefreshToken)
        && !code_grant
        && !grants.contains(&GrantType::TokenExchange)
    {
        return Err(invalid(format!(
            "the refresh_token grant requires the authorization_code or {} grant",
            GrantType::TokenExchange
        )));
    }
    if auth_method == TokenEndpointAuthMethod::None {
        for grant in [GrantType::ClientCredentials, GrantType::TokenExchange] {
            if grants.contains(&grant) {
                return Err(invalid(format!(
                    "a public client (token_endpoint_auth_method \"none\") \
                     cannot use the {grant} grant"
                )));
            }
        }
    }
    Ok(())
}

fn unknown_field(name: &str) -> MetadataError {
    let hint = if SERVER_ASSIGNED.contains(&name) {
        " (it is assigned by the server and cannot be registered)".to_owned()
    } else if name.contains('#') {
        " (language-tagged metadata is not supported)".to_owned()
    } else if name == "software_statement" {
        " (software statements are not supported)".to_owned()
    } else {
        let candidates = [
            format!("{name}s"),
            name.strip_suffix('s').unwrap_or(name).to_owned(),
            format!("sigil_{name}"),
            name.to_ascii_lowercase(),
        ];
        candidates
            .into_iter()
            .find(|c| c != name && KNOWN_FIELDS.contains(&c.as_str()))
            .map(|c| format!(" (did you mean {c:?}?)"))
            .unwrap_or_default()
    };
    invalid(format!(
        "unknown field {}{hint}; sigil rejects client metadata it does not recognise",
        quoted(name)
    ))
}
