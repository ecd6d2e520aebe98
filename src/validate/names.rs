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
    let len = name.chars().count();
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

/// Scheduled action names: 1-256, no leading or trailing space, no control characters, no
/// `:`, `/` or `|`.
pub fn scheduled_action_name(name: &str) -> Option<String> {
    let len = name.chars().count();
    if len == 0 || len > 256 {
        return Some(format!("must be 1 to 256 characters long, not {len}"));
    }
    if name.starts_with(' ') || name.ends_with(' ') {
        return Some("may not start or end with a space".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_control() || matches!(c, ':' | '/' | '|'))
    {
        return Some(format!("may not contain {c:?}"));
    }
    None
}

/// CloudWatch metric names, namespaces and dimension names: 1-255 characters.
pub fn metric_text(name: &str, max: usize) -> Option<String> {
    let len = name.chars().count();
    if len == 0 || len > max {
        return Some(format!("must be 1 to {max} characters long, not {len}"));
    }
    if name.starts_with(':') {
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
        assert_eq!(region("us-west-2"), None);
        assert_eq!(region("us-gov-east-1"), None);
        assert!(region("us-west").is_some());
        assert!(region("US-WEST-2").is_some());
    }
}
