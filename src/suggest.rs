//! "Did you mean ...?" for misspelt keys and values.

/// The candidate closest to `input`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let folded = fold(input);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let distance = if fold(c) == folded {
            0
        } else {
            levenshtein(&folded, &fold(c))
        };
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, c));
        }
    }
    let limit = (input.chars().count() / 3).max(1);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

/// Case and `-`/`_` do not count as differences: `Min-Capacity` is a typo of `min_capacity`.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| if c == '-' { '_' } else { c.to_ascii_lowercase() })
        .collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["min_capacity", "max_capacity", "name"];
        assert_eq!(did_you_mean("max_capcity", keys), Some("max_capacity"));
        assert_eq!(did_you_mean("Min-Capacity", keys), Some("min_capacity"));
        assert_eq!(did_you_mean("nmae", keys), Some("name"));
        assert_eq!(did_you_mean("region", keys), None);
        assert_eq!(did_you_mean("average", ["Average", "Sum"]), Some("Average"));
    }
}
