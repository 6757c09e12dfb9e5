//! How the pages look for this deployment: product name, logo and accent colour.

/// The deployment's branding, shown on every page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    /// The name shown in page titles and headers.
    pub product_name: String,
    /// A logo: an absolute `http(s)` URL or a path on this server starting with `/`.
    pub logo_url: Option<String>,
    /// The accent colour, `#rgb` or `#rrggbb`.
    pub accent_color: String,
}

/// The default accent: 5.9:1 against white text, so it passes WCAG AA either way round.
pub const DEFAULT_ACCENT: &str = "#2f5bd3";

const MAX_PRODUCT_NAME: usize = 60;

impl Default for Branding {
    fn default() -> Self {
        Self {
            product_name: "sigil".to_owned(),
            logo_url: None,
            accent_color: DEFAULT_ACCENT.to_owned(),
        }
    }
}

impl Branding {
    /// Checks each field, returning the branding or a one-line reason it is refused.
    pub fn validate(self) -> Result<Branding, String> {
        let chars = self.product_name.chars().count();
        if chars == 0 || chars > MAX_PRODUCT_NAME || self.product_name.trim().is_empty() {
            return Err(format!(
                "branding product name must be 1 to {MAX_PRODUCT_NAME} characters"
            ));
        }
        if self.product_name.chars().any(char::is_control) {
            return Err("branding product name must not contain control characters".into());
        }
        if parse_hex_color(&self.accent_color).is_none() {
            return Err(format!(
                "branding accent colour {:?} must be #rgb or #rrggbb",
                self.accent_color
            ));
        }
        if let Some(logo) = &self.logo_url
            && !is_valid_logo_url(logo)
        {
            return Err(
                "branding logo URL must be an absolute http(s) URL or a path starting with /"
                    .into(),
            );
        }
        Ok(self)
    }

    /// The stylesheet that carries the accent colour, served at `/static/theme.css`.
    pub fn theme_css(&self) -> String {
        let accent = parse_hex_color(&self.accent_color)
            .or_else(|| parse_hex_color(DEFAULT_ACCENT))
            .unwrap_or([0, 0, 0]);
        let [r, g, b] = accent;
        let on_accent = if contrast_ratio(accent, [255, 255, 255]) >= 4.5 {
            "#ffffff"
        } else {
            "#111111"
        };
        format!(":root {{ --accent: #{r:02x}{g:02x}{b:02x}; --on-accent: {on_accent}; }}\n")
    }
}

fn is_valid_logo_url(logo: &str) -> bool {
    if logo.starts_with('/') {
        return !logo.starts_with("//") && !logo.chars().any(|c| c.is_control() || c == '\\');
    }
    match url::Url::parse(logo) {
        Ok(url) => matches!(url.scheme(), "https" | "http") && url.host().is_some(),
        Err(_) => false,
    }
}

/// Parses `#rgb` or `#rrggbb` into its three channels.
pub fn parse_hex_color(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize, len: usize| u8::from_str_radix(&hex[i * len..(i + 1) * len], 16).ok();
    match hex.len() {
        3 => {
            let mut out = [0u8; 3];
            for (i, c) in out.iter_mut().enumerate() {
                *c = channel(i, 1)? * 17;
            }
            Some(out)
        }
        6 => Some([channel(0, 2)?, channel(1, 2)?, channel(2, 2)?]),
        _ => None,
    }
}

/// The WCAG 2 contrast ratio between two sRGB colours (1.0 to 21.0).
pub fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

fn relative_luminance(rgb: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut Branding)) -> Result<Branding, String> {
        let mut b = Branding::default();
        f(&mut b);
        b.validate()
    }

    #[test]
    fn default_is_valid_and_its_accent_passes_aa_against_white() {
        let b = Branding::default().validate().unwrap();
        let accent = parse_hex_color(&b.accent_color).unwrap();
        assert!(contrast_ratio(accent, [255, 255, 255]) >= 4.5);
        assert!(b.theme_css().contains("--on-accent: #ffffff"));
    }

    #[test]
    fn accent_accepts_short_and_long_hex_only() {
        assert!(with(|b| b.accent_color = "#abc".into()).is_ok());
        assert!(with(|b| b.accent_color = "#A0b1C2".into()).is_ok());
        for bad in [
            "", "#", "abc", "#abcd", "#ggg", "#12345", "#1234567", "red", "#abc;x",
        ] {
            assert!(with(|b| b.accent_color = bad.into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn short_hex_expands_and_theme_is_normalised() {
        assert_eq!(parse_hex_color("#fa0"), Some([0xff, 0xaa, 0x00]));
        let b = with(|b| b.accent_color = "#FA0".into()).unwrap();
        assert!(b.theme_css().contains("--accent: #ffaa00;"));
    }

    #[test]
    fn light_accent_gets_dark_text() {
        let b = with(|b| b.accent_color = "#ffe066".into()).unwrap();
        assert!(b.theme_css().contains("--on-accent: #111111"));
    }

    #[test]
    fn product_name_is_one_to_sixty_printable_chars() {
        assert!(with(|b| b.product_name = "A".into()).is_ok());
        assert!(with(|b| b.product_name = "é".repeat(60)).is_ok());
        assert!(with(|b| b.product_name = "x".repeat(61)).is_err());
        assert!(with(|b| b.product_name = String::new()).is_err());
        assert!(with(|b| b.product_name = "   ".into()).is_err());
        assert!(with(|b| b.product_name = "a\nb".into()).is_err());
        assert!(with(|b| b.product_name = "a\u{7}b".into()).is_err());
    }

    #[test]
    fn logo_is_absolute_http_url_or_local_path() {
        for ok in [
            "/static/logo.svg",
            "https://cdn.example.com/l.png",
            "http://x.test/l",
        ] {
            assert!(with(|b| b.logo_url = Some(ok.into())).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "logo.png",
            "//evil.example/l.png",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "ftp://x.test/l",
            "https://",
            "/a\\b",
        ] {
            assert!(with(|b| b.logo_url = Some(bad.into())).is_err(), "{bad}");
        }
    }
}
