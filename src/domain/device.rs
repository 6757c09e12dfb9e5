//! The device a browser session runs in, in words a person recognises ("Chrome on Linux"),
//! read from its `User-Agent` by woothee.

use woothee::parser::Parser;
use woothee::woothee::VALUE_UNKNOWN;

/// What the account page says when the browser did not say or is not recognised.
pub const UNKNOWN_DEVICE: &str = "Unknown device";

/// The browser and operating system `user_agent` names, e.g. `Chrome on Linux`.
pub fn describe(user_agent: Option<&str>) -> String {
    let Some(parsed) = user_agent
        .filter(|ua| !ua.trim().is_empty())
        .and_then(|ua| Parser::new().parse(ua))
    else {
        return UNKNOWN_DEVICE.to_owned();
    };
    let known = |v: &str| !v.is_empty() && v != VALUE_UNKNOWN;
    match (known(parsed.name), known(parsed.os)) {
        (true, true) => format!("{} on {}", parsed.name, parsed.os),
        (true, false) => parsed.name.to_owned(),
        (false, true) => parsed.os.to_owned(),
        (false, false) => UNKNOWN_DEVICE.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_browser_and_system() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(describe(Some(chrome)), "Chrome on Linux");
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 \
                       Firefox/121.0";
        assert_eq!(describe(Some(firefox)), "Firefox on Windows 10");
    }

    #[test]
    fn unknown_or_missing_agents_say_so() {
        assert_eq!(describe(None), UNKNOWN_DEVICE);
        assert_eq!(describe(Some("")), UNKNOWN_DEVICE);
        assert_eq!(describe(Some("curl-ish/0 \u{0}")), UNKNOWN_DEVICE);
    }
}
