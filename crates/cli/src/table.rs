//! Plain aligned text tables for human output.

/// Renders rows under a header, each column as wide as its widest cell.
pub(crate) fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = line(header.iter().map(|s| s.to_string()).collect());
    out.push('\n');
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    for row in rows {
        out.push('\n');
        out.push_str(&line(row.clone()));
    }
    out
}

/// A two-column key/value table.
pub(crate) fn print_pairs(rows: Vec<(&str, String)>) {
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(k, v)| vec![k.to_owned(), v]).collect();
    println!("{}", render(&["FIELD", "VALUE"], &rows));
}

/// The mined transactions a command sent, one row each.
pub(crate) fn print_transactions(txs: &[linkpool_bindings::stack::SentTx]) {
    let rows: Vec<Vec<String>> = txs
        .iter()
        .map(|t| {
            vec![
                t.action.clone(),
                t.hash.to_string(),
                t.block.map(|b| b.to_string()).unwrap_or_default(),
                t.gas_used.to_string(),
            ]
        })
        .collect();
    println!("{}", render(&["SENT", "TX", "BLOCK", "GAS USED"], &rows));
}

/// `--json` output: one pretty-printed JSON value.
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> eyre::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_columns() {
        let t = super::render(&["a", "bbb"], &[vec!["xxxx".into(), "y".into()]]);
        assert_eq!(t, "a     bbb\n----  ---\nxxxx  y");
    }
}
