//! Table definitions shared by both backends (timestamps are UTC Unix seconds).
#![allow(missing_docs)]

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        alg -> Text,
        public_jwk -> Text,
        private_jwe -> Text,
        created_at -> BigInt,
        retired_at -> Nullable<BigInt>,
        expires_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        email -> Nullable<Text>,
        name -> Nullable<Text>,
        password_hash -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        email_verified -> Bool,
        claims -> Text,
        token_generation -> BigInt,
        disabled -> Bool,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> Text,
        role -> Text,
    }
}

diesel::table! {
    clients (client_id) {
        client_id -> Text,
        secret_hash -> Nullable<Text>,
        metadata -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        secret_sealed -> Nullable<Text>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> BigInt,
        actor -> Text,
        action -> Text,
        subject -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        sid -> Text,
        user_id -> Text,
        auth_time -> BigInt,
        amr -> Text,
        created_at -> BigInt,
        last_seen -> BigInt,
        expires_at -> BigInt,
        actor_id -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    auth_requests (id) {
        id -> Text,
        browser_hash -> Text,
        client_id -> Text,
        params -> Text,
        login_done -> Bool,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    auth_codes (code_hash) {
        code_hash -> Text,
        client_id -> Text,
        user_id -> Text,
        grant_data -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        issued_jti -> Nullable<Text>,
        issued_exp -> Nullable<BigInt>,
        issued_family -> Nullable<Text>,
    }
}

diesel::table! {
    consents (user_id, client_id) {
        user_id -> Text,
        client_id -> Text,
        scope -> Text,
        granted_at -> BigInt,
    }
}

diesel::table! {
    login_attempts (key_hash) {
        key_hash -> Text,
        failures -> Integer,
        last_failure -> BigInt,
    }
}

diesel::table! {
    token_denylist (jti) {
        jti -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    client_assertions (client_id, jti) {
        client_id -> Text,
        jti -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    refresh_families (id) {
        id -> Text,
        client_id -> Text,
        user_id -> Text,
        sid -> Nullable<Text>,
        grant_data -> Text,
        generation -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        family_id -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    family_access_tokens (jti) {
        jti -> Text,
        family_id -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    resources (id) {
        id -> Text,
        identifier -> Text,
        metadata -> Text,
        secret_hash -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    session_clients (sid, client_id) {
        sid -> Text,
        client_id -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    trusted_issuers (id) {
        id -> Text,
        issuer -> Text,
        metadata -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    impersonations (id) {
        id -> Text,
        session_hash -> Text,
        sid -> Text,
        actor_id -> Text,
        actor_session -> Text,
        user_id -> Text,
        reason -> Text,
        started_at -> BigInt,
        expires_at -> BigInt,
        ended_at -> Nullable<BigInt>,
        ended_by -> Nullable<Text>,
    }
}

diesel::table! {
    registration_tokens (id) {
        id -> Text,
        token_hash -> Text,
        uses_left -> Nullable<Integer>,
        expires_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    client_registrations (client_id) {
        client_id -> Text,
        access_token_hash -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> refresh_families (family_id));
diesel::allow_tables_to_appear_in_same_query!(
    signing_keys,
    users,
    user_roles,
    clients,
    audit_events,
    refresh_families,
    refresh_tokens,
    family_access_tokens,
    token_denylist,
    sessions,
    consents,
    trusted_issuers,
    impersonations
);
