//! A small line diff, for showing how a cache entry changed.

/// Lines of `old` and `new` as a unified-style diff (`-` removed, `+` added,
/// two spaces unchanged), with unchanged runs longer than 2 lines elided.
pub(crate) fn lines(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Longest common subsequence table, from the end.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut out: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // A changed line reads as a diff does: the old one, then the new.
            out.push(('-', a[i]));
            i += 1;
        } else {
            out.push(('+', b[j]));
            j += 1;
        }
    }
    let changed: Vec<bool> = out.iter().map(|(c, _)| *c != ' ').collect();
    let near = |k: usize| (k.saturating_sub(2)..=(k + 2).min(out.len() - 1)).any(|n| changed[n]);
    let mut text = String::new();
    let mut elided = false;
    for (k, (c, line)) in out.iter().enumerate() {
        if near(k) {
            text.push_str(&format!("    {c} {line}\n"));
            elided = false;
        } else if !elided {
            text.push_str("      ...\n");
            elided = true;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\n";
        let new = "a\nb\nc\nD\ne\nf\ng\n";
        let d = lines(old, new);
        assert!(d.contains("    - d\n    + D\n"), "the old line, then the new: {d}");
        assert!(d.contains("  c") && d.contains("  e"), "{d}");
        assert!(!d.contains("  a\n"), "far context is elided: {d}");
    }
}
