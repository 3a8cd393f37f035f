//! The README's failing example is what the shipped fixture gives: the block between the
//! `failing-example` markers is the findings part of `escrow check` on
//! `fixtures/deliveries/his-update-v2.4` with the built-in manifest, word for word.

use crate::common::{chaoyang, escrow, repo};

/// The lines of the report from `Findings:` to the verdict, as the README shows them.
fn findings_part(report: &str) -> String {
    let start = report
        .find("Findings:")
        .unwrap_or_else(|| panic!("no Findings: line in\n{report}"));
    report[start..].trim_end().to_owned()
}

/// The fenced block between the README's markers.
fn readme_block() -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let start = readme
        .find("<!-- failing-example:start -->")
        .expect("start marker in README.md");
    let end = readme
        .find("<!-- failing-example:end -->")
        .expect("end marker in README.md");
    let block = &readme[start..end];
    let open = block
        .find("```\n")
        .expect("a fenced block after the start marker")
        + 4;
    let close = block
        .rfind("\n```")
        .expect("the fence closed before the end marker");
    block[open..close].to_owned()
}

#[test]
fn readme_failing_example_is_what_the_fixture_gives() {
    let delivery = repo().join("fixtures/deliveries/his-update-v2.4");
    let run = escrow([
        "check".as_ref(),
        delivery.as_os_str(),
        "--manifest".as_ref(),
        chaoyang().as_os_str(),
        "--lang".as_ref(),
        "en".as_ref(),
    ]);
    assert_eq!(run.code, 1, "the sample update must fail: {}", run.stderr);
    let got = findings_part(&run.stdout);
    let want = readme_block();
    assert_eq!(
        got, want,
        "README.md's failing example differs from what the fixture gives; paste this between the markers:\n{got}"
    );
}
