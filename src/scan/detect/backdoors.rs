//! Backdoor patterns (`backdoor-suspect`): logins compared with a hard-coded credential, kill
//! switches keyed to a date or a licence, commands run from remote input. Found only by line
//! rules (`rules.toml`); a hit is something to review with the vendor, not proof.

use super::LineCode;

/// How the line engine treats backdoor rules: per line, not in third-party code.
pub(super) const LINE: LineCode = LineCode {
    code: "backdoor-suspect",
    once_per_file: false,
    skip_third_party: true,
    text: |en, zh| {
        (
            format!("{en}: review this code with the vendor"),
            format!("{zh}：请与供应商一起审查此处代码"),
        )
    },
};
