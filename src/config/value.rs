//! Reading one TOML value as the Rust type a key wants, with an error naming the key when
//! it is of another type or out of range.

use toml::Spanned;
use toml::de::{DeArray, DeValue};

use super::raw::*;
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::keywords::Keyword;
use crate::suggest::did_you_mean;

pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// A value one key holds: decoded, or an error naming the key.
pub(super) trait FromValue: Sized {
    /// The value `v` of `key`, or None with the error in `d`.
    fn from_value(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<Self>;
}

impl FromValue for String {
    fn from_value(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<Self> {
        match v.get_ref() {
            DeValue::String(s) => Some(Located::new(s.to_string(), Origin::file(v.span()))),
            _ => {
                wrong_type(v, key, "a string", d);
                None
            }
        }
    }
}

impl FromValue for bool {
    fn from_value(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<Self> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(Located::new(*b, Origin::file(v.span()))),
            _ => {
                wrong_type(v, key, "true or false", d);
                None
            }
        }
    }
}

impl FromValue for i64 {
    fn from_value(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<Self> {
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(Located::new(n, Origin::file(v.span()))),
                Err(_) => {
                    d.push(Diagnostic::new(
                        &codes::OUT_OF_RANGE,
                        &Origin::file(v.span()),
                        format!("`{key}` is too large to be a number here"),
                    ));
                    None
                }
            },
            DeValue::Float(f)
                if f.as_str()
                    .parse::<f64>()
                    .is_ok_and(|x| x.fract() == 0.0 && x.abs() < 1e15) =>
            {
                let n = f.as_str().parse::<f64>().unwrap_or_default() as i64;
                d.push(
                    Diagnostic::new(
                        &codes::WRONG_TYPE,
                        &Origin::file(v.span()),
                        format!("`{key}` must be a whole number, found a decimal number"),
                    )
                    .help(format!("write `{key} = {n}`")),
                );
                None
            }
            _ => {
                wrong_type(v, key, "a whole number", d);
                None
            }
        }
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<Self> {
        let parsed = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|n| n as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => {
                wrong_type(v, key, "a number", d);
                return None;
            }
        };
        match parsed {
            Some(x) => Some(Located::new(x, Origin::file(v.span()))),
            None => {
                d.push(Diagnostic::new(
                    &codes::OUT_OF_RANGE,
                    &Origin::file(v.span()),
                    format!("`{key}` is not a number this tool can represent"),
                ));
                None
            }
        }
    }
}

impl<K: Keyword> FromValue for K {
    fn from_value(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<Self> {
        let DeValue::String(s) = v.get_ref() else {
            wrong_type(v, key, &format!("a string (a {})", K::WHAT), d);
            return None;
        };
        parse_keyword(s, Origin::file(v.span()), d)
    }
}

impl FromValue for Dimensions {
    fn from_value(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<Self> {
        let DeValue::Table(t) = v.get_ref() else {
            wrong_type(v, key, "a table of name = \"value\"", d);
            return None;
        };
        let mut out = Vec::new();
        for (k, val) in t.iter() {
            let name = Located::new(k.get_ref().to_string(), Origin::file(k.span()));
            if let Some(value) = String::from_value(val, &format!("dimension `{}`", name.value), d) {
                out.push((name, value));
            }
        }
        Some(Located::new(out, Origin::file(v.span())))
    }
}

pub(super) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

pub(super) fn wrong_type(v: &Value<'_>, key: &str, expected: &str, d: &mut Diagnostics) {
    let mut diag = Diagnostic::new(
        &codes::WRONG_TYPE,
        &Origin::file(v.span()),
        format!("`{key}` must be {expected}, found {}", type_name(v.get_ref())),
    );
    // A quoted number is the most common slip; say how to write it.
    if let DeValue::String(s) = v.get_ref()
        && s.trim().parse::<f64>().is_ok()
        && (expected.contains("number"))
    {
        diag = diag.help(format!("remove the quotes: `{key} = {}`", s.trim()));
    }
    d.push(diag);
}

/// A keyword from text, or an `unknown-value` error with the closest spelling.
pub(super) fn parse_keyword<K: Keyword>(s: &str, origin: Origin, d: &mut Diagnostics) -> Field<K> {
    if let Some(k) = K::parse(s) {
        return Some(Located::new(k, origin));
    }
    let help = match did_you_mean(s, K::SPELLINGS.iter().map(|(k, _)| *k)) {
        Some(m) => format!("did you mean \"{m}\"?"),
        None => format!("expected one of: {}", K::canonical_names().join(", ")),
    };
    d.push(
        Diagnostic::new(
            &codes::UNKNOWN_VALUE,
            &origin,
            format!("\"{s}\" is not a {}", K::WHAT),
        )
        .help(help),
    );
    None
}

pub(super) fn array<'a, 'i>(v: &'a Value<'i>, key: &str, d: &mut Diagnostics) -> Option<&'a DeArray<'i>> {
    match v.get_ref() {
        DeValue::Array(a) => Some(a),
        DeValue::Table(_) if matches!(key, "endpoint" | "inference_component" | "policy" | "schedule") => {
            let header = if matches!(key, "endpoint" | "inference_component") {
                format!("[[{key}]]")
            } else {
                format!("[[endpoint.{key}]]")
            };
            d.push(
                Diagnostic::new(
                    &codes::WRONG_TYPE,
                    &Origin::file(v.span()),
                    format!("`{key}` must be an array of tables, found a table"),
                )
                .help(format!(
                    "write {header} with double brackets: there can be several"
                )),
            );
            None
        }
        _ => {
            wrong_type(v, key, "an array", d);
            None
        }
    }
}

pub(super) fn strings(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Vec<Located<String>> {
    let Some(items) = array(v, key, d) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| String::from_value(item, &format!("each entry of `{key}`"), d))
        .collect()
}
