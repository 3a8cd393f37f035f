//! The codes the scan detectors and line rules give, with their texts.

use crate::finding::finding_codes;

finding_codes! {
    /// Codes of the scan: encryption, encoders, obfuscation, binaries without source, secrets,
    /// backdoors. Line rules (`rules.toml`, a manifest's `[[rule]]`) give one of [`ScanCode::RULE`].
    pub enum ScanCode {
        FileEncrypted => {
            code: "file-encrypted",
            default: Deny,
            criterion: "③ 无技术壁垒",
            meaning_en: "A file is encrypted: a known encrypted container (OpenSSL, PGP, age, Ansible Vault, a password-protected Office document or PDF), or a source or text file whose bytes are indistinguishable from random (entropy and chi-square test).",
            meaning_zh: "文件已加密：已知的加密格式（OpenSSL、PGP、age、Ansible Vault、有密码的 Office 文档或 PDF），或内容与随机数据无法区分的源代码/文本文件（熵与卡方检验）。",
            ask_en: "Ask for the file unencrypted, or for the key and the procedure to decrypt it.",
            ask_zh: "要求提供未加密的文件，或提供密钥及解密方法。",
        },
        SourceEncoded => {
            code: "source-encoded",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "Source code run through an encoder (ionCube, Zend Guard, SourceGuardian, PyArmor, eval of decoded data): it runs but cannot be read or changed.",
            meaning_zh: "源代码经加密器处理（ionCube、Zend Guard、SourceGuardian、PyArmor、eval 解码执行）：能运行但无法阅读和修改。",
            ask_en: "Ask for the original, unencoded source files.",
            ask_zh: "要求提供未经加密处理的原始源代码。",
        },
        SourceObfuscated => {
            code: "source-obfuscated",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "Obfuscated code: javascript-obfuscator or packer output, a .NET assembly processed by an obfuscator, name-mangled Java classes, or a minified bundle whose source is not delivered.",
            meaning_zh: "代码经过混淆：javascript-obfuscator 或 packer 输出、经混淆器处理的 .NET 程序集、类名被混淆的 Java 类、或未交付源代码的压缩前端代码。",
            ask_en: "Ask for the source it was built from, and the build step that minifies or obfuscates it.",
            ask_zh: "要求提供生成它的源代码，以及压缩或混淆所用的构建步骤。",
        },
        BinaryWithoutSource => {
            code: "binary-without-source",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "Compiled code of the vendor's own (class files, jars in the packages of the delivered source, .NET assemblies of its namespaces, .pyc, Delphi .dcu, PowerBuilder .pbd) with no corresponding source in the delivery.",
            meaning_zh: "供应商自有代码的编译产物（class 文件、与已交付源代码同包名的 jar、同命名空间的 .NET 程序集、.pyc、Delphi .dcu、PowerBuilder .pbd），交付物中没有对应的源代码。",
            ask_en: "Ask for the source of these files, or for proof that they are third-party libraries (then list them under `vendored`).",
            ask_zh: "要求提供这些文件的源代码，或证明其为第三方库（然后在 vendored 中声明）。",
        },
        BinaryUnattributed => {
            code: "binary-unattributed",
            default: Warn,
            criterion: "① 源代码完整性",
            meaning_en: "A compiled file with no delivered source whose origin cannot be told: not in the packages of the delivered source, not declared in a dependency list, not under a vendored path.",
            meaning_zh: "未交付源代码且来源不明的编译文件：不属于已交付源代码的包，未在依赖清单中声明，也不在第三方目录下。",
            ask_en: "Ask the vendor what it is: a third-party library (name, version, licence) or their own code (then its source).",
            ask_zh: "询问供应商该文件是什么：第三方库（名称、版本、许可）还是其自有代码（则需提供源代码）。",
        },
        CredentialHardcoded => {
            code: "credential-hardcoded",
            default: Warn,
            criterion: "③ 无技术壁垒",
            meaning_en: "A credential written in the delivery (private key, cloud access key, token, password in a connection string or config file). The secret itself is never shown: type, place and a fingerprint only.",
            meaning_zh: "交付物中写有凭据（私钥、云访问密钥、令牌、连接字符串或配置文件中的密码）。报告不显示密钥本身，只显示类型、位置和指纹。",
            ask_en: "Ask for a list of every credential and what it unlocks; rotate them all before go-live and move them out of the source.",
            ask_zh: "要求供应商列出所有凭据及其用途；上线前全部更换，并从源代码中移出。",
        },
        BackdoorSuspect => {
            code: "backdoor-suspect",
            default: Warn,
            criterion: "③ 无技术壁垒",
            meaning_en: "Code that may be a backdoor or a lock, for human review: a user name or password compared with a literal, the current date compared with a fixed date, a licence check that stops the program, a request parameter run as a command, a bidirectional control character that makes source code read differently than it runs (Trojan Source).",
            meaning_zh: "可能是后门或锁定机制的代码，需人工审查：用户名或密码与常量比较、当前日期与固定日期比较、导致程序停止的许可检查、把请求参数当作命令执行、使源代码显示内容与实际执行不同的双向文本控制字符（Trojan Source）。",
            ask_en: "Ask the vendor to explain each place in writing; remove master passwords, time bombs and licence locks.",
            ask_zh: "要求供应商书面说明每一处；移除万能密码、定时炸弹和许可锁。",
        },
    }
}

impl ScanCode {
    /// The codes a line rule may give (`code = "…"` in `rules.toml` or in a manifest's
    /// `[[rule]]`).
    pub const RULE: &'static [ScanCode] = &[
        ScanCode::CredentialHardcoded,
        ScanCode::BackdoorSuspect,
        ScanCode::SourceEncoded,
        ScanCode::SourceObfuscated,
        ScanCode::FileEncrypted,
    ];

    /// The code a line rule's `code = "…"` names, or `None` when a rule may not give it (an
    /// unknown name, or a code of another detector): rule compilation turns `None` into an
    /// error naming the rule.
    #[must_use]
    pub fn for_rule(name: &str) -> Option<ScanCode> {
        Self::RULE.iter().copied().find(|c| c.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::ScanCode;

    #[test]
    fn rule_codes_are_the_ones_rule_compilation_accepts() {
        let names: Vec<&str> = ScanCode::RULE.iter().map(|c| c.name()).collect();
        assert_eq!(names, crate::scan::rules::RULE_CODES);
        assert_eq!(
            ScanCode::for_rule("backdoor-suspect"),
            Some(ScanCode::BackdoorSuspect)
        );
        assert_eq!(ScanCode::for_rule("binary-unattributed"), None);
        assert_eq!(ScanCode::for_rule("credential-hardcode"), None);
    }
}
