//! `cargo xtask diff` on a real pair of revisions: Calendar v3 from
//! `discovery/corpus/` (2020) against `discovery/current/`. The classification
//! rules are unit-tested in `xtask/src/revdiff/`; this pins what they make
//! of a real document. Review changes with `cargo insta review`.

use xtask::revdiff::{diff_documents, Verdict};

#[test]
fn calendar_v3_old_to_current() {
    let root = xtask::workspace_root();
    let report = diff_documents(
        &root.join("discovery/corpus/calendar.v3.json"),
        &root.join("discovery/current/calendar.v3.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.verdict(), Verdict::Minor);
    insta::assert_snapshot!("calendar_v3", report.render());
}
