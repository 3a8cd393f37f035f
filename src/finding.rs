//! Findings: what a check found, with a stable kebab-case code (the public API of the JSON
//! report), a severity the manifest may override, and evidence a person can act on.

use serde::{Deserialize, Serialize};

/// How much a finding matters. `Deny` fails the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warn,
    Deny,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Deny => "deny",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "info" => Some(Severity::Info),
            "warn" => Some(Severity::Warn),
            "deny" => Some(Severity::Deny),
            _ => None,
        }
    }
}

/// A finding code: its stable name, default severity, what it means and what to ask the vendor
/// for, in English and Chinese. The README's code table is written from this list.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    pub code: &'static str,
    pub default: Severity,
    /// The contract criterion it concerns, e.g. "① completeness".
    pub criterion: &'static str,
    pub meaning_en: &'static str,
    pub meaning_zh: &'static str,
    pub ask_en: &'static str,
    pub ask_zh: &'static str,
}

/// Every finding code this version can emit.
pub const CODES: &[Code] = &[
    Code {
        code: "module-missing",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "No delivered file matches the module's paths: the module's source is absent.",
        meaning_zh: "交付物中没有任何文件匹配该模块的路径：该模块源代码缺失。",
        ask_en: "Ask the vendor to deliver the complete source of this module.",
        ask_zh: "要求供应商交付该模块的完整源代码。",
    },
    Code {
        code: "module-empty",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "Files match the module, but fewer of them are source code than required (only images, documents, binaries, …).",
        meaning_zh: "模块目录下有文件，但源代码文件数量少于要求（只有图片、文档或二进制文件等）。",
        ask_en: "Ask for the module's source files, not only its build outputs or resources.",
        ask_zh: "要求供应商提供该模块的源代码文件，而不仅是编译产物或资源文件。",
    },
    Code {
        code: "required-file-missing",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "A file or folder the manifest names as required (`required-files`) is not in the delivery.",
        meaning_zh: "清单中 `required-files` 要求必须存在的文件或目录未在交付物中找到。",
        ask_en: "Ask the vendor to add the named files or explain where they are.",
        ask_zh: "要求供应商补交所列文件，或说明其所在位置。",
    },
    Code {
        code: "document-missing",
        default: Severity::Deny,
        criterion: "④ 文档完整性",
        meaning_en: "No delivered file matches a required companion document.",
        meaning_zh: "交付物中没有找到合同要求的配套文档。",
        ask_en: "Ask the vendor for this document (build guide, dependency list, deployment manual, interface or design documentation).",
        ask_zh: "要求供应商补交该文档（编译环境说明、依赖库清单、部署手册、接口或设计文档等）。",
    },
    Code {
        code: "document-too-small",
        default: Severity::Deny,
        criterion: "④ 文档完整性",
        meaning_en: "The document exists but every matching file is smaller than `min-bytes`: likely a placeholder.",
        meaning_zh: "文档存在，但所有匹配文件都小于 `min-bytes`：可能只是占位文件。",
        ask_en: "Ask for a complete version of the document.",
        ask_zh: "要求供应商提供完整版本的文档。",
    },
    Code {
        code: "database-missing",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "No database script matches the manifest's paths.",
        meaning_zh: "没有找到数据库脚本。",
        ask_en: "Ask for the database scripts (schema creation and initial data).",
        ask_zh: "要求供应商交付数据库脚本（建表脚本与初始化数据）。",
    },
    Code {
        code: "database-no-tables",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "The database scripts create fewer tables (`CREATE TABLE`) than `min-tables`.",
        meaning_zh: "数据库脚本中的建表语句（CREATE TABLE）少于 `min-tables`。",
        ask_en: "Ask for the full schema scripts that create every table the system uses.",
        ask_zh: "要求供应商提供能创建系统全部数据表的完整建表脚本。",
    },
    Code {
        code: "dependencies-missing",
        default: Severity::Deny,
        criterion: "② 可运行性",
        meaning_en: "No dependency manifest (pom.xml, package.json, requirements.txt, .csproj, go.mod, Cargo.toml, composer.json, …) was delivered.",
        meaning_zh: "没有交付依赖清单文件（pom.xml、package.json、requirements.txt、.csproj、go.mod、Cargo.toml、composer.json 等）。",
        ask_en: "Ask for the build files that declare the dependencies, so a third party can build.",
        ask_zh: "要求供应商提供声明依赖的构建文件，以便第三方能够编译。",
    },
    Code {
        code: "dependencies-unparseable",
        default: Severity::Deny,
        criterion: "② 可运行性",
        meaning_en: "A dependency manifest does not parse: no build tool could read it.",
        meaning_zh: "依赖清单文件无法解析：任何构建工具都无法读取它。",
        ask_en: "Ask the vendor to deliver the file exactly as used in their build.",
        ask_zh: "要求供应商交付其实际构建时使用的原始文件。",
    },
    Code {
        code: "archive-encrypted",
        default: Severity::Deny,
        criterion: "③ 无技术壁垒",
        meaning_en: "Entries of the delivered archive are password-protected: they could not be read, and the contract forbids encryption.",
        meaning_zh: "交付的压缩包中有设置密码的条目：无法读取，且合同禁止加密。",
        ask_en: "Ask the vendor for the same files without a password.",
        ask_zh: "要求供应商提供不加密码的同一批文件。",
    },
    Code {
        code: "archive-unsafe-path",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "Archive entries with absolute or climbing paths (/, C:, ..), entries whose folder passes through a symbolic link of the archive, or hard links out of the archive: they were refused, not unpacked.",
        meaning_zh: "压缩包中有使用绝对路径或向上跳转路径（/、C:、..）的条目、所在目录经过压缩包内符号链接的条目，或指向压缩包外的硬链接：已拒绝，未解压。",
        ask_en: "Ask the vendor to repack the delivery with relative paths inside one folder.",
        ask_zh: "要求供应商使用相对路径重新打包交付物。",
    },
    Code {
        code: "git-dotgit-in-tree",
        default: Severity::Deny,
        criterion: "③ 无技术壁垒",
        meaning_en: "The repository's tree holds a path component named `.git` (in any letter case): checked out, it would become a live Git folder whose settings can run the vendor's commands. It was not unpacked.",
        meaning_zh: "代码仓库的文件树中含有名为 `.git`（不区分大小写）的路径：检出后会成为可执行供应商命令的 Git 配置目录。已拒绝，未解出。",
        ask_en: "Ask the vendor to remove the `.git` folder from the committed tree and deliver again.",
        ask_zh: "要求供应商从提交的文件树中删除 `.git` 目录后重新交付。",
    },
    Code {
        code: "git-config-executes",
        default: Severity::Deny,
        criterion: "③ 无技术壁垒",
        meaning_en: "A delivered Git configuration or hook runs a command when Git is used in the folder (`core.fsmonitor`, `core.hooksPath`, `core.sshCommand`, `filter.*.clean/smudge/process`, `diff.external`, an executable hook): running `git status` there (or opening the folder in an IDE, which runs Git) would run the vendor's command with your rights. escrow never runs it.",
        meaning_zh: "交付物中的 Git 配置或钩子会在使用 Git 时执行命令（`core.fsmonitor`、`core.hooksPath`、`core.sshCommand`、`filter.*.clean/smudge/process`、`diff.external`、可执行的钩子）：在该目录执行 `git status` （或用会自动调用 git 的 IDE 打开该目录）就会以您的身份运行供应商的命令。escrow 不会执行这些命令。",
        ask_en: "Ask the vendor to deliver without these settings and hooks, and to explain what they were for.",
        ask_zh: "要求供应商去掉这些配置和钩子后重新交付，并说明其用途。",
    },
    Code {
        code: "file-setuid",
        default: Severity::Warn,
        criterion: "③ 无技术壁垒",
        meaning_en: "A delivered file has the setuid or setgid bit (or the sticky bit): whoever runs it gets the rights of the file's owner or group (root's, if root owns it). escrow did not run it, never gives staged files these bits, and restore removes them unless told otherwise.",
        meaning_zh: "交付的文件带有 setuid 或 setgid 权限位（或 sticky 位）：任何用户运行它时，都会获得文件所有者或所属组的权限（所有者为 root 时即 root 权限）。escrow 没有运行它，解出的文件不带这些权限位，恢复（restore）时默认也会去掉。",
        ask_en: "Ask the vendor why the file needs these bits (source code never does). In a delivery folder on this machine, remove them now: chmod u-s,g-s FILE.",
        ask_zh: "要求供应商说明该文件为何需要这些权限位（源代码不需要）。若交付目录就在本机，请先去掉该权限位：chmod u-s,g-s 文件名。",
    },
    Code {
        code: "archive-duplicate-entry",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "The archive holds the same path more than once with different contents: escrow checked and kept the first copy, while GNU tar and most unpacking tools give the last one, which was not checked. What the hospital would unpack is not what was checked.",
        meaning_zh: "压缩包中同一路径出现多次且内容不同：escrow 检查并保存的是第一个，而 GNU tar 等常用解压工具得到的是最后一个（未经检查）。医院解压得到的内容与检查的内容不一致。",
        ask_en: "Ask the vendor which version is right, and for an archive without duplicates.",
        ask_zh: "要求供应商确认正确版本，并提供没有重复条目的压缩包。",
    },
    Code {
        code: "git-submodule-missing",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "The repository refers to submodules (other repositories): their source is not in this delivery.",
        meaning_zh: "仓库引用了子模块（其他仓库）：其源代码不在本次交付中。",
        ask_en: "Ask for the submodules' source, or a repository with it included.",
        ask_zh: "要求供应商提供子模块的源代码，或包含子模块内容的仓库。",
    },
    Code {
        code: "git-lfs-pointer",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "Files are Git LFS pointers: the repository holds only a reference, the content is on the vendor's LFS server.",
        meaning_zh: "文件为 Git LFS 指针：仓库中只有引用，实际内容在供应商的 LFS 服务器上。",
        ask_en: "Ask for the files' real content (git lfs fetch, or a plain copy).",
        ask_zh: "要求供应商提供文件的实际内容（git lfs fetch 或直接提供文件）。",
    },
    Code {
        code: "build-failed",
        default: Severity::Deny,
        criterion: "② 可运行性",
        meaning_en: "The build command from the manifest exited with an error in the isolated build (evidence: the last lines of its log).",
        meaning_zh: "按清单中的编译命令在隔离环境中编译失败（证据：编译日志的最后几行）。",
        ask_en: "Ask the vendor to fix the build, or the build guide (编译环境说明), so that it builds from the delivered files alone.",
        ask_zh: "要求供应商修正编译错误或编译环境说明，使仅凭交付的文件即可编译成功。",
    },
    Code {
        code: "build-timeout",
        default: Severity::Deny,
        criterion: "② 可运行性",
        meaning_en: "The build did not finish within the manifest's timeout: it was stopped, with every process it started.",
        meaning_zh: "编译未在清单规定的时限内完成：已终止编译及其启动的全部进程。",
        ask_en: "Ask why the build hangs (often: waiting for a download or a prompt), or raise `timeout` if the build is just long.",
        ask_zh: "要求供应商说明编译卡住的原因（常见为等待下载或交互输入）；如只是耗时较长，可调大 `timeout`。",
    },
    Code {
        code: "build-network-required",
        default: Severity::Deny,
        criterion: "② 可运行性",
        meaning_en: "The build failed trying to reach the network (DNS failures, refused or unreachable connections, Maven, Gradle, npm, pip, Go, NuGet or Cargo downloads): it needs something that was not delivered (evidence: the log lines).",
        meaning_zh: "编译因尝试访问网络而失败（域名解析失败、连接被拒或不可达，Maven、Gradle、npm、pip、Go、NuGet、Cargo 下载等）：编译依赖未随交付物提供的内容（证据：日志中的相关行）。",
        ask_en: "Ask the vendor to deliver every dependency with the source (vendored: a local Maven repository, node_modules or an npm cache, pip wheels, Go vendor/, NuGet packages) and a build guide that works offline.",
        ask_zh: "要求供应商随源代码交付全部依赖（本地 Maven 仓库、node_modules 或 npm 缓存、pip wheel 包、Go vendor 目录、NuGet 包等），并提供可离线编译的编译环境说明。",
    },
    Code {
        code: "build-output-missing",
        default: Severity::Deny,
        criterion: "② 可运行性",
        meaning_en: "The build succeeded but a declared output (`outputs`) was not produced: what the build makes is not what the contract expects.",
        meaning_zh: "编译成功，但清单 `outputs` 声明的编译产物未生成：编译结果与合同要求不符。",
        ask_en: "Ask the vendor which command produces the deployable artefacts, and for a build that makes them.",
        ask_zh: "要求供应商说明生成可部署产物的命令，并提供能生成这些产物的编译方式。",
    },
    Code {
        code: "build-not-reproducible",
        default: Severity::Warn,
        criterion: "② 可运行性",
        meaning_en: "Built twice in different folders with the same SOURCE_DATE_EPOCH (--reproducible), declared outputs differ: the artefacts cannot be matched to the source by rebuilding.",
        meaning_zh: "在不同目录、相同 SOURCE_DATE_EPOCH 下编译两次（--reproducible），声明的编译产物内容不同：无法通过重新编译证明产物与源代码对应。",
        ask_en: "Ask the vendor to make the build reproducible (no build time, path or random value in the outputs).",
        ask_zh: "要求供应商使编译可重现（产物中不写入编译时间、路径或随机值）。",
    },
    Code {
        code: "build-network-allowed",
        default: Severity::Warn,
        criterion: "② 可运行性",
        meaning_en: "The manifest lets the build use the network (`network = true`): a successful build does not prove the delivery is complete.",
        meaning_zh: "清单允许编译访问网络（`network = true`）：编译成功并不能证明交付物完整。",
        ask_en: "Ask for the dependencies to be delivered, then build with `network = false`.",
        ask_zh: "要求供应商交付全部依赖，然后以 `network = false` 重新编译。",
    },
    Code {
        code: "build-sandbox-weak",
        default: Severity::Warn,
        criterion: "② 可运行性",
        meaning_en: "The build ran with less isolation than bubblewrap gives (the `unshare` fallback, or `--no-sandbox`): the result is less trustworthy and the build could change files on this machine.",
        meaning_zh: "编译的隔离程度低于 bubblewrap（使用了 `unshare` 退化模式或 `--no-sandbox`）：结果可信度较低，编译过程可能修改本机文件。",
        ask_en: "Nothing of the vendor: install bubblewrap (`apt-get install bubblewrap`) and build again.",
        ask_zh: "无需供应商处理：安装 bubblewrap（`apt-get install bubblewrap`）后重新编译。",
    },
    Code {
        code: "module-regressed",
        default: Severity::Warn,
        criterion: "① 源代码完整性",
        meaning_en: "Compared with the previous deposit, a module lost all its files or some of its source files.",
        meaning_zh: "与上一次存管相比，某模块的文件全部消失或源代码文件减少。",
        ask_en: "Ask the vendor why the code was removed, and for the missing source if it is still in use.",
        ask_zh: "要求供应商说明删除原因；如代码仍在使用，要求补交缺失的源代码。",
    },
    Code {
        code: "file-removed",
        default: Severity::Info,
        criterion: "① 源代码完整性",
        meaning_en: "A file of the previous deposit is not in this one.",
        meaning_zh: "上一次存管中的文件在本次交付中不存在。",
        ask_en: "Check the change note explains the removal.",
        ask_zh: "核对修改说明中是否解释了删除原因。",
    },
    Code {
        code: "change-note-missing",
        default: Severity::Warn,
        criterion: "④ 文档完整性",
        meaning_en: "Files changed since the previous deposit but no change note (修改说明) was deposited with them (--note).",
        meaning_zh: "与上一次存管相比有文件变更，但没有随附修改说明文档（--note）。",
        ask_en: "Ask the vendor for the change notes the contract requires with every update.",
        ask_zh: "要求供应商按合同提供每次更新的修改说明文档。",
    },
    Code {
        code: "symlink-outside-delivery",
        default: Severity::Warn,
        criterion: "① 源代码完整性",
        meaning_en: "A symbolic link points outside the delivery (or is absolute): what it points to was not delivered. It is recorded, never followed.",
        meaning_zh: "符号链接指向交付物之外（或为绝对路径）：其指向的内容并未交付。已记录，未跟随。",
        ask_en: "Ask for the linked content itself, or a delivery without links to the vendor's machine.",
        ask_zh: "要求供应商交付链接指向的实际内容，而不是指向其自身机器的链接。",
    },
    Code {
        code: "special-file-skipped",
        default: Severity::Info,
        criterion: "① 源代码完整性",
        meaning_en: "A device, FIFO or socket in the delivery was skipped: it holds no source.",
        meaning_zh: "交付物中的设备文件、管道或套接字已跳过：其中不含源代码。",
        ask_en: "Nothing, unless the vendor says it matters.",
        ask_zh: "无需处理，除非供应商说明其有用途。",
    },
    Code {
        code: "file-encrypted",
        default: Severity::Deny,
        criterion: "③ 无技术壁垒",
        meaning_en: "A file is encrypted: a known encrypted container (OpenSSL, PGP, age, Ansible Vault, a password-protected Office document or PDF), or a source or text file whose bytes are indistinguishable from random (entropy and chi-square test).",
        meaning_zh: "文件已加密：已知的加密格式（OpenSSL、PGP、age、Ansible Vault、有密码的 Office 文档或 PDF），或内容与随机数据无法区分的源代码/文本文件（熵与卡方检验）。",
        ask_en: "Ask for the file unencrypted, or for the key and the procedure to decrypt it.",
        ask_zh: "要求提供未加密的文件，或提供密钥及解密方法。",
    },
    Code {
        code: "source-encoded",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "Source code run through an encoder (ionCube, Zend Guard, SourceGuardian, PyArmor, eval of decoded data): it runs but cannot be read or changed.",
        meaning_zh: "源代码经加密器处理（ionCube、Zend Guard、SourceGuardian、PyArmor、eval 解码执行）：能运行但无法阅读和修改。",
        ask_en: "Ask for the original, unencoded source files.",
        ask_zh: "要求提供未经加密处理的原始源代码。",
    },
    Code {
        code: "source-obfuscated",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "Obfuscated code: javascript-obfuscator or packer output, a .NET assembly processed by an obfuscator, name-mangled Java classes, or a minified bundle whose source is not delivered.",
        meaning_zh: "代码经过混淆：javascript-obfuscator 或 packer 输出、经混淆器处理的 .NET 程序集、类名被混淆的 Java 类、或未交付源代码的压缩前端代码。",
        ask_en: "Ask for the source it was built from, and the build step that minifies or obfuscates it.",
        ask_zh: "要求提供生成它的源代码，以及压缩或混淆所用的构建步骤。",
    },
    Code {
        code: "binary-without-source",
        default: Severity::Deny,
        criterion: "① 源代码完整性",
        meaning_en: "Compiled code of the vendor's own (class files, jars in the packages of the delivered source, .NET assemblies of its namespaces, .pyc, Delphi .dcu, PowerBuilder .pbd) with no corresponding source in the delivery.",
        meaning_zh: "供应商自有代码的编译产物（class 文件、与已交付源代码同包名的 jar、同命名空间的 .NET 程序集、.pyc、Delphi .dcu、PowerBuilder .pbd），交付物中没有对应的源代码。",
        ask_en: "Ask for the source of these files, or for proof that they are third-party libraries (then list them under `vendored`).",
        ask_zh: "要求提供这些文件的源代码，或证明其为第三方库（然后在 vendored 中声明）。",
    },
    Code {
        code: "binary-unattributed",
        default: Severity::Warn,
        criterion: "① 源代码完整性",
        meaning_en: "A compiled file with no delivered source whose origin cannot be told: not in the packages of the delivered source, not declared in a dependency list, not under a vendored path.",
        meaning_zh: "未交付源代码且来源不明的编译文件：不属于已交付源代码的包，未在依赖清单中声明，也不在第三方目录下。",
        ask_en: "Ask the vendor what it is: a third-party library (name, version, licence) or their own code (then its source).",
        ask_zh: "询问供应商该文件是什么：第三方库（名称、版本、许可）还是其自有代码（则需提供源代码）。",
    },
    Code {
        code: "credential-hardcoded",
        default: Severity::Warn,
        criterion: "③ 无技术壁垒",
        meaning_en: "A credential written in the delivery (private key, cloud access key, token, password in a connection string or config file). The secret itself is never shown: type, place and a fingerprint only.",
        meaning_zh: "交付物中写有凭据（私钥、云访问密钥、令牌、连接字符串或配置文件中的密码）。报告不显示密钥本身，只显示类型、位置和指纹。",
        ask_en: "Ask for a list of every credential and what it unlocks; rotate them all before go-live and move them out of the source.",
        ask_zh: "要求供应商列出所有凭据及其用途；上线前全部更换，并从源代码中移出。",
    },
    Code {
        code: "backdoor-suspect",
        default: Severity::Warn,
        criterion: "③ 无技术壁垒",
        meaning_en: "Code that may be a backdoor or a lock, for human review: a user name or password compared with a literal, the current date compared with a fixed date, a licence check that stops the program, a request parameter run as a command.",
        meaning_zh: "可能是后门或锁定机制的代码，需人工审查：用户名或密码与常量比较、当前日期与固定日期比较、导致程序停止的许可检查、把请求参数当作命令执行。",
        ask_en: "Ask the vendor to explain each place in writing; remove master passwords, time bombs and licence locks.",
        ask_zh: "要求供应商书面说明每一处；移除万能密码、定时炸弹和许可锁。",
    },
];

/// A contract criterion ("③ 无技术壁垒") in the report's language.
pub fn criterion_label(criterion: &str, english: bool) -> String {
    if !english {
        return criterion.to_owned();
    }
    let en = match criterion.chars().next() {
        Some('①') => "① completeness",
        Some('②') => "② buildability",
        Some('③') => "③ no technical barriers",
        Some('④') => "④ documentation",
        _ => return criterion.to_owned(),
    };
    format!(
        "{en} ({})",
        criterion.split_once(' ').map_or("", |(_, zh)| zh)
    )
}

/// Look up a code by name.
pub fn code(name: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == name)
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    /// The requirement id this finding belongs to, if any.
    pub requirement: Option<String>,
    /// The delivery-relative path (readable form), if the finding concerns one file.
    pub path: Option<String>,
    pub line: Option<u64>,
    pub message: String,
    /// The same message in Chinese.
    pub message_zh: String,
    /// Facts a person can check: matched paths, parser messages, counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The scan rule that found it (`aws-access-key`, `class-without-source`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl Finding {
    /// A finding with the code's default severity; `Severities::apply` adjusts it later.
    pub fn new(code_name: &str, en: impl Into<String>, zh: impl Into<String>) -> Self {
        let severity = code(code_name).map_or(Severity::Deny, |c| c.default);
        debug_assert!(
            code(code_name).is_some(),
            "unknown finding code {code_name}"
        );
        Finding {
            code: code_name.to_owned(),
            severity,
            requirement: None,
            path: None,
            line: None,
            message: en.into(),
            message_zh: zh.into(),
            evidence: Vec::new(),
            rule: None,
        }
    }

    #[must_use]
    pub fn rule(mut self, id: &str) -> Self {
        self.rule = Some(id.to_owned());
        self
    }

    #[must_use]
    pub fn requirement(mut self, id: &str) -> Self {
        self.requirement = Some(id.to_owned());
        self
    }

    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    #[must_use]
    pub fn line(mut self, line: Option<u64>) -> Self {
        self.line = line;
        self
    }

    #[must_use]
    pub fn evidence(mut self, evidence: Vec<String>) -> Self {
        self.evidence = evidence;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for c in CODES {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert!(
                c.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "code {} is not kebab-case",
                c.code
            );
            assert!(!c.meaning_en.is_empty() && !c.meaning_zh.is_empty());
            assert!(!c.ask_en.is_empty() && !c.ask_zh.is_empty());
        }
    }

    #[test]
    fn severity_round_trip() {
        for s in [Severity::Info, Severity::Warn, Severity::Deny] {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        assert_eq!(Severity::parse("fatal"), None);
    }
}
