//! AWS name rules, written as plain checks (Rust's `regex` lacks `\p{Print}` and look-ahead).
//! Each returns what is wrong, or None when the name is valid.

/// SageMaker endpoint and variant names: `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`.
pub fn sagemaker_name(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > 63 {
        return Some(format!(
            "must be 1 to 63 characters long, not {}",
            name.chars().count()
        ));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        return Some(format!("may contain only letters, digits and hyphens, not {c:?}"));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("must start and end with a letter or digit".into());
    }
    None
}

/// Scaling policy names: 1-256 printable ASCII characters.
pub fn policy_name(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > 256 {
        return Some(format!(
            "must be 1 to 256 characters long, not {}",
            name.chars().count()
        ));
    }
    if let Some(c) = name.chars().find(|c| !(' '..='~').contains(c)) {
        return Some(format!("may contain only printable ASCII characters, not {c:?}"));
    }
    None
}

/// CloudWatch alarm names we create: 1-255 characters, no control characters, and never the
/// `TargetTracking-` prefix that AWS reserves for the alarms it owns.
pub fn alarm_name(name: &str) -> Option<String> {
    let len = aws_len(name);
    if len == 0 || len > 255 {
        return Some(format!("must be 1 to 255 characters long, not {len}"));
    }
    if let Some(c) = name.chars().find(|c| c.is_ascii_control()) {
        return Some(format!("may not contain control characters ({c:?})"));
    }
    if name.starts_with("TargetTracking-") {
        return Some(
            "may not start with `TargetTracking-`: AWS uses that prefix for the alarms it owns".into(),
        );
    }
    None
}

/// A length as AWS counts it: Java's `String.length()`, in UTF-16 code units, so a character
/// outside the Basic Multilingual Plane (an emoji) counts twice.
pub fn aws_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Scheduled action names (PutScheduledAction's model: 1-256 and
/// `(?!((^[ ]+.*)|(.*([\u0000-\u001f]|[\u007f-\u009f]|[:/|])+.*)|(.*[ ]+$))).+`): no leading
/// or trailing space, no control character, no `:`, `/` or `|`, and none of the line
/// terminators Java's `.` stops at (U+2028, U+2029 besides the control characters).
pub fn scheduled_action_name(name: &str) -> Option<String> {
    let len = aws_len(name);
    if len == 0 || len > 256 {
        return Some(format!("must be 1 to 256 characters long, not {len}"));
    }
    if name.starts_with(' ') || name.ends_with(' ') {
        return Some("may not start or end with a space".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_control() || matches!(c, ':' | '/' | '|' | '\u{2028}' | '\u{2029}'))
    {
        return Some(format!("may not contain {c:?}"));
    }
    None
}

/// Where a CloudWatch text goes, which decides the rules it must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricField {
    /// A metric name: CloudWatch's MetricName is 1-255 and nothing else (a leading `:` is fine).
    Name,
    /// A namespace: CloudWatch's Namespace pattern `[^:].*` (no leading `:`, and Java's `.`
    /// stops at line terminators), 1-255.
    Namespace,
}

/// CloudWatch metric names and namespaces (API_Metric, PutMetricAlarm's model). `in_math`: a
/// metric of a target-tracking metric math query, whose shapes (TargetTrackingMetricName,
/// TargetTrackingMetricNamespace) add the pattern `[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*`.
pub fn metric_text(name: &str, field: MetricField, in_math: bool) -> Option<String> {
    let len = aws_len(name);
    if len == 0 || len > 255 {
        return Some(format!("must be 1 to 255 characters long, not {len}"));
    }
    if field == MetricField::Namespace {
        if name.starts_with(':') {
            return Some("may not start with ':'".into());
        }
        if let Some(c) = name.chars().find(|c| is_java_line_terminator(*c)) {
            return Some(format!("may not contain a line break ({c:?})"));
        }
    }
    if in_math {
        return free_text(name);
    }
    None
}

/// The characters AWS's `[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*` takes: everything
/// but control characters below U+0020 (tab, line feed and carriage return excepted) and
/// U+FFFE, U+FFFF. Metric math expressions, labels and the metrics of math queries.
pub fn free_text(text: &str) -> Option<String> {
    let refused =
        |c: char| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}');
    text.chars()
        .find(|c| refused(*c))
        .map(|c| format!("may not contain the control character {c:?}"))
}

/// Java's line terminators, where `.` stops (java.util.regex.Pattern).
fn is_java_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// CloudWatch dimension names and values (API_Dimension): "must contain only ASCII characters,
/// must include at least one non-whitespace character, and cannot start with a colon (:)
/// [names only]. ASCII control characters are not supported"; names 1-255, values 1-1024.
pub fn dimension_text(text: &str, is_name: bool) -> Option<String> {
    let max = if is_name { 255 } else { 1024 };
    let len = aws_len(text);
    if len == 0 || len > max {
        return Some(format!("must be 1 to {max} characters long, not {len}"));
    }
    if let Some(c) = text.chars().find(|c| !c.is_ascii()) {
        return Some(format!("may contain only ASCII characters, not {c:?}"));
    }
    if let Some(c) = text.chars().find(|c| c.is_ascii_control()) {
        return Some(format!("may not contain the control character {c:?}"));
    }
    if text.trim().is_empty() {
        return Some("must hold at least one character that is not white space".into());
    }
    if is_name && text.starts_with(':') {
        return Some("may not start with ':'".into());
    }
    None
}

/// AWS region names such as `us-west-2` or `us-gov-east-1`.
pub fn region(name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    (!ok).then(|| "is not an AWS region name such as \"us-west-2\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sagemaker_names_follow_the_model_pattern() {
        assert_eq!(sagemaker_name("infer-endpoint-c356f91"), None);
        assert_eq!(sagemaker_name("a--b"), None);
        assert!(sagemaker_name("-a").is_some());
        assert!(sagemaker_name("a-").is_some());
        assert!(sagemaker_name("a_b").is_some());
        assert!(sagemaker_name(&"a".repeat(64)).is_some());
        assert_eq!(sagemaker_name(&"a".repeat(63)), None);
    }

    #[test]
    fn other_names() {
        assert_eq!(policy_name("CPUUtil-ScalingPolicy"), None);
        assert!(policy_name("tab\there").is_some());
        assert!(alarm_name("TargetTracking-x").is_some());
        assert_eq!(alarm_name("ünïcode is fine"), None);
        assert!(scheduled_action_name("a:b").is_some());
        assert!(scheduled_action_name(" a").is_some());
        assert!(scheduled_action_name("night\u{2028}shift").is_some());
        assert!(scheduled_action_name("night\u{2029}shift").is_some());
        assert_eq!(scheduled_action_name("ünïcode 😀"), None);
        assert!(
            scheduled_action_name(&"😀".repeat(129)).is_some(),
            "258 UTF-16 units"
        );
        assert_eq!(metric_text(":m", MetricField::Name, false), None);
        assert!(metric_text(":n", MetricField::Namespace, false).is_some());
        assert!(metric_text("n\u{2028}", MetricField::Namespace, false).is_some());
        assert!(metric_text("a\u{1}", MetricField::Name, true).is_some());
        assert_eq!(metric_text("a\u{1}", MetricField::Name, false), None);
        assert!(dimension_text("naïve", false).is_some());
        assert!(dimension_text("   ", false).is_some());
        assert!(dimension_text(":a", true).is_some());
        assert_eq!(dimension_text(":a", false), None);
        assert!(dimension_text("a\u{7f}", false).is_some());
        assert_eq!(region("us-west-2"), None);
        assert_eq!(region("us-gov-east-1"), None);
        assert!(region("us-west").is_some());
        assert!(region("US-WEST-2").is_some());
    }
}
