//! "Did you mean ...?" for misspelt keys and values.

/// The candidate closest to `input`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let folded = fold(input);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let distance = if fold(c) == folded {
            0
        } else {
            distance(&folded, &fold(c))
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

/// Edit distance where swapping two neighbours counts as one edit (optimal string alignment),
/// since `nmae` for `name` is one slip of the fingers, not two.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
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
