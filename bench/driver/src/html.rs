//! Just enough HTML reading to submit a sign-in or consent form the way a browser would.

/// A form to submit: where to, and the fields a browser would send.
#[derive(Debug)]
pub struct Form {
    /// The `action` attribute, entity-decoded (may be relative).
    pub action: String,
    /// Hidden inputs, then the fields the caller adds.
    pub fields: Vec<(String, String)>,
    /// Whether the form asks for a password (a sign-in form).
    pub password: bool,
    /// Whether the form has an approving `decision=allow` button (a consent form).
    pub allow: bool,
}

/// The first sign-in form on the page, else the first consent form.
pub fn pick_form(html: &str) -> Option<Form> {
    let forms: Vec<Form> = html
        .split("<form")
        .skip(1)
        .map(|chunk| parse_form(chunk.split("</form>").next().unwrap_or(chunk)))
        .collect();
    let login = forms.iter().position(|f| f.password);
    let consent = forms.iter().position(|f| f.allow);
    let at = login.or(consent)?;
    forms.into_iter().nth(at)
}

fn parse_form(chunk: &str) -> Form {
    let open_end = chunk.find('>').unwrap_or(chunk.len());
    let action = attr(&chunk[..open_end], "action").unwrap_or_default();
    let mut form = Form {
        action,
        fields: Vec::new(),
        password: false,
        allow: false,
    };
    for tag in tags(chunk, "<input").chain(tags(chunk, "<button")) {
        let kind = attr(tag, "type").unwrap_or_default().to_ascii_lowercase();
        let name = attr(tag, "name").unwrap_or_default();
        let value = attr(tag, "value").unwrap_or_default();
        if kind == "password" {
            form.password = true;
        } else if kind == "hidden" && !name.is_empty() {
            form.fields.push((name, value));
        } else if name == "decision" && value == "allow" {
            form.allow = true;
        }
    }
    form
}

fn tags<'a>(html: &'a str, open: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    html.match_indices(open).map(move |(at, _)| {
        let rest = &html[at..];
        &rest[..rest.find('>').unwrap_or(rest.len())]
    })
}

/// The value of attribute `name` in one tag's text, quoted with `"` or `'`.
fn attr(tag: &str, name: &str) -> Option<String> {
    let bytes = tag.as_bytes();
    let mut from = 0;
    while let Some(found) = tag[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = at > 0 && bytes[at - 1].is_ascii_whitespace();
        let rest = tag[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let rest = rest[1..].trim_start();
        let quote = rest.chars().next()?;
        if quote == '"' || quote == '\'' {
            let body = &rest[1..];
            return Some(decode(&body[..body.find(quote)?]));
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        return Some(decode(&rest[..end]));
    }
    None
}

/// Decodes the character references templates emit in attribute values.
fn decode(value: &str) -> String {
    if !value.contains('&') {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let ch = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "lt" => Some('<'),
            "gt" => Some('>'),
            _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                u32::from_str_radix(&entity[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_login_form_with_hidden_inputs() {
        let html = r#"<form method="get" action="/lang"><input type="hidden" name="x" value="1"></form>
            <form method="post" action="/login?a=1&amp;b=2">
            <input type="hidden" name="csrf_token" value="a&#x2F;b">
            <input name="username"><input type="password" name="password"></form>"#;
        let form = pick_form(html).expect("form");
        assert_eq!(form.action, "/login?a=1&b=2");
        assert_eq!(form.fields, vec![("csrf_token".into(), "a/b".into())]);
        assert!(form.password);
    }

    #[test]
    fn reads_a_consent_form() {
        let html = r#"<form method=post action='/consent'><input type=hidden name=request value=r1>
            <button type="submit" name="decision" value="allow">Allow</button></form>"#;
        let form = pick_form(html).expect("form");
        assert!(form.allow && !form.password);
        assert_eq!(form.action, "/consent");
        assert_eq!(form.fields, vec![("request".into(), "r1".into())]);
    }
}
