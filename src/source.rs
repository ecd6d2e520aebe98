//! The text of a config file and how to turn byte offsets into line:column.

/// A config file's name and text, for diagnostics.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the user gave it, used in messages and annotations.
    pub name: String,
    pub(crate) text: String,
}

impl Source {
    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        self.text
            .split('\n')
            .nth(line - 1)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_lines() {
        let s = Source::new("f", "ab\nçd\r\nx");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        assert_eq!(s.line_col(5), (2, 2));
        assert_eq!(s.line_col(4), (2, 1), "inside a multi-byte char rounds down");
        assert_eq!(s.line_col(99), (3, 2), "past the end clamps");
        assert_eq!(s.line_text(2), "çd");
    }
}
