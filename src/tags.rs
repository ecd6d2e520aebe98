//! The tags this tool puts on what it creates: the tool's and the *stack*'s (the config that
//! manages it), and what they prove. `ownership` decides with them which targets a plan may
//! prune; `resource` carries them on the records.

use std::collections::{BTreeMap, BTreeSet};

/// Tag key and value that say the tool registered (or adopted) a target or created an alarm.
pub const MANAGED_BY: (&str, &str) = ("managed-by", "sagemaker-autoscale");
/// Tag key whose value names the stack that manages the target or alarm.
pub const STACK_TAG: &str = "sagemaker-autoscale:stack";
/// AWS's limit on a tag value (Application Auto Scaling and CloudWatch alike).
pub const MAX_STACK_LEN: usize = 256;

/// Tag key -> value.
pub type Tags = BTreeMap<String, String>;

/// The tags this tool puts on what it creates for `stack`.
pub fn tags(stack: &str) -> Tags {
    Tags::from([
        (MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string()),
        (STACK_TAG.to_string(), stack.to_string()),
    ])
}

/// The tags of `all` this tool manages (the rest are someone else's and are left as they are).
pub fn managed(all: &Tags) -> Tags {
    all.iter()
        .filter(|(k, _)| k.as_str() == MANAGED_BY.0 || k.as_str() == STACK_TAG)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Whether a target with `tags` was registered by this tool for `stack`.
pub fn owned_by(tags: &Tags, stack: &str) -> bool {
    tags.get(MANAGED_BY.0).map(String::as_str) == Some(MANAGED_BY.1)
        && tags.get(STACK_TAG).map(String::as_str) == Some(stack)
}

/// Why `stack` is not a valid tag value, if it is not (AWS's tag rules: up to 256 letters,
/// digits, spaces and `_ . : / = + - @`, never starting with `aws:`; an empty stack would name
/// nothing).
pub fn stack_problem(stack: &str) -> Option<String> {
    if stack.is_empty() {
        return Some("is empty".into());
    }
    if stack.to_ascii_lowercase().starts_with("aws:") {
        return Some("starts with `aws:`, which AWS reserves for its own tags".into());
    }
    if stack.chars().count() > MAX_STACK_LEN {
        return Some(format!(
            "is longer than {MAX_STACK_LEN} characters (AWS's limit on a tag value)"
        ));
    }
    let bad: BTreeSet<char> = stack.chars().filter(|c| !tag_char(*c)).collect();
    (!bad.is_empty()).then(|| {
        let list: String = bad.into_iter().collect();
        format!("has characters a tag value cannot hold ({list:?}): use letters, digits, spaces and _ . : / = + - @")
    })
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

/// The stack a config manages when it does not say: `owner/repo:path` in the action (or
/// wherever `GITHUB_REPOSITORY` is set), else the config path as given. Characters a tag value
/// cannot hold become `-`.
pub fn default_stack(config_path: &str, repository: Option<&str>) -> String {
    let path = config_path.trim_start_matches("./");
    let stack = match repository.filter(|r| !r.is_empty()) {
        Some(repo) => format!("{repo}:{path}"),
        None => path.to_string(),
    };
    let clean: String = stack.chars().map(|c| if tag_char(c) { c } else { '-' }).collect();
    clean.chars().take(MAX_STACK_LEN).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_stack_names_repository_and_path() {
        assert_eq!(
            default_stack("./autoscaling.toml", Some("acme/models")),
            "acme/models:autoscaling.toml"
        );
        assert_eq!(default_stack("cfg/prod.toml", None), "cfg/prod.toml");
        assert_eq!(default_stack("a b#c.toml", None), "a b-c.toml");
    }

    #[test]
    fn stack_values_follow_the_tag_value_rules() {
        assert_eq!(stack_problem("acme/models:autoscaling.toml"), None);
        assert!(stack_problem("").is_some());
        assert!(stack_problem(&"x".repeat(257)).is_some());
        assert!(stack_problem("a#b").unwrap().contains('#'));
        assert!(stack_problem("AWS:mine").is_some());
        assert!(stack_problem("a\tb").is_some());
    }
}
