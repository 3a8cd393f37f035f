//! The codes the requirement checks give (`CheckCode`) and those the comparison with the
//! previous deposit gives (`CompareCode`), with their texts.

use crate::finding::finding_codes;

finding_codes! {
    /// Codes of the requirement checks: modules, required files, documents, database scripts,
    /// dependency manifests, and the delivered source no requirement covers.
    pub enum CheckCode {
        ModuleMissing => {
            code: "module-missing",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "No delivered file matches the module's paths: the module's source is absent.",
            meaning_zh: "交付物中没有任何文件匹配该模块的路径：该模块源代码缺失。",
            ask_en: "Ask the vendor to deliver the complete source of this module.",
            ask_zh: "要求供应商交付该模块的完整源代码。",
        },
        ModuleEmpty => {
            code: "module-empty",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "Files match the module, but fewer of them are source code than required (only images, documents, binaries, …).",
            meaning_zh: "模块目录下有文件，但源代码文件数量少于要求（只有图片、文档或二进制文件等）。",
            ask_en: "Ask for the module's source files, not only its build outputs or resources.",
            ask_zh: "要求供应商提供该模块的源代码文件，而不仅是编译产物或资源文件。",
        },
        RequiredFileMissing => {
            code: "required-file-missing",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "A file or folder the manifest names as required (`required-files`) is not in the delivery.",
            meaning_zh: "清单中 `required-files` 要求必须存在的文件或目录未在交付物中找到。",
            ask_en: "Ask the vendor to add the named files or explain where they are.",
            ask_zh: "要求供应商补交所列文件，或说明其所在位置。",
        },
        DocumentMissing => {
            code: "document-missing",
            default: Deny,
            criterion: "④ 文档完整性",
            meaning_en: "No delivered file matches a required companion document.",
            meaning_zh: "交付物中没有找到合同要求的配套文档。",
            ask_en: "Ask the vendor for this document (build guide, dependency list, deployment manual, interface or design documentation).",
            ask_zh: "要求供应商补交该文档（编译环境说明、依赖库清单、部署手册、接口或设计文档等）。",
        },
        DocumentTooSmall => {
            code: "document-too-small",
            default: Deny,
            criterion: "④ 文档完整性",
            meaning_en: "The document exists but every matching file is smaller than `min-bytes` (by default, the smallest file of its format that can hold a sentence: .docx 900 bytes, .pdf 600, text 1 KiB, …): likely a placeholder.",
            meaning_zh: "文档存在，但所有匹配文件都小于 `min-bytes`（默认为该格式能容纳一句话的最小文件大小：.docx 900 字节、.pdf 600 字节、文本 1 KiB 等）：可能只是占位文件。",
            ask_en: "Ask for a complete version of the document.",
            ask_zh: "要求供应商提供完整版本的文档。",
        },
        DocumentNotADocument => {
            code: "document-not-a-document",
            default: Deny,
            criterion: "④ 文档完整性",
            meaning_en: "A document's file is not what its extension says: a .docx, .xlsx or .pptx that is not an Office package holding its document part, a .pdf without %PDF-, a .doc, .xls or .ppt that is not an Office 97–2003 file (e.g. a renamed text file or an HTML page saved as .doc).",
            meaning_zh: "文档文件与其扩展名不符：.docx、.xlsx、.pptx 不是含正文部件的 Office 文档包，.pdf 没有 %PDF- 标记，.doc、.xls、.ppt 不是 Office 97–2003 文件（例如改了扩展名的文本文件，或另存为 .doc 的网页）。",
            ask_en: "Ask the vendor for the real document, saved by the program that made it (Word, Excel, WPS, a PDF printer).",
            ask_zh: "要求供应商提供用原软件（Word、Excel、WPS、PDF 打印机等）保存的真实文档。",
        },
        DatabaseMissing => {
            code: "database-missing",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "No database script matches the manifest's paths.",
            meaning_zh: "没有找到数据库脚本。",
            ask_en: "Ask for the database scripts (schema creation and initial data).",
            ask_zh: "要求供应商交付数据库脚本（建表脚本与初始化数据）。",
        },
        DatabaseNoTables => {
            code: "database-no-tables",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "The database scripts create fewer tables (`CREATE TABLE`) than `min-tables`.",
            meaning_zh: "数据库脚本中的建表语句（CREATE TABLE）少于 `min-tables`。",
            ask_en: "Ask for the full schema scripts that create every table the system uses.",
            ask_zh: "要求供应商提供能创建系统全部数据表的完整建表脚本。",
        },
        DependenciesMissing => {
            code: "dependencies-missing",
            default: Deny,
            criterion: "② 可运行性",
            meaning_en: "No dependency manifest (pom.xml, package.json, requirements.txt, .csproj, go.mod, Cargo.toml, composer.json, …) was delivered.",
            meaning_zh: "没有交付依赖清单文件（pom.xml、package.json、requirements.txt、.csproj、go.mod、Cargo.toml、composer.json 等）。",
            ask_en: "Ask for the build files that declare the dependencies, so a third party can build.",
            ask_zh: "要求供应商提供声明依赖的构建文件，以便第三方能够编译。",
        },
        DependenciesUnparseable => {
            code: "dependencies-unparseable",
            default: Deny,
            criterion: "② 可运行性",
            meaning_en: "A dependency manifest does not parse: no build tool could read it.",
            meaning_zh: "依赖清单文件无法解析：任何构建工具都无法读取它。",
            ask_en: "Ask the vendor to deliver the file exactly as used in their build.",
            ask_zh: "要求供应商交付其实际构建时使用的原始文件。",
        },
        SourceUncovered => {
            code: "source-uncovered",
            default: Warn,
            criterion: "① 源代码完整性",
            meaning_en: "Much of the delivered source code is matched by no requirement of the manifest: its paths probably do not match the vendor's folder names, or the delivery holds a module the contract does not name.",
            meaning_zh: "交付的源代码中有相当一部分不匹配清单中的任何要求：清单中的路径很可能与供应商实际的目录名不一致，或者交付物包含合同未列出的模块。",
            ask_en: "Run `escrow manifest check MANIFEST --against DELIVERY` to see what each requirement matches and correct the manifest's paths (or draft one with `escrow manifest init DELIVERY`); if the folder is a module the contract does not name, ask the vendor what it is.",
            ask_zh: "运行 `escrow manifest check 清单文件 --against 交付物` 查看每项要求匹配到哪些文件，并修正清单中的路径（或用 `escrow manifest init 交付物` 生成清单草稿）；如该目录是合同未列出的模块，请供应商说明其用途。",
        },
    }
}

finding_codes! {
    /// Codes of the comparison of a deposit with the previous snapshot.
    pub enum CompareCode {
        ModuleRegressed => {
            code: "module-regressed",
            default: Warn,
            criterion: "① 源代码完整性",
            meaning_en: "Compared with the previous deposit, a module lost all its files, or source files whose contents are nowhere in this delivery (even when it gained others).",
            meaning_zh: "与上一次入库的快照相比，某模块的文件全部消失，或删除了源代码文件且其内容在本次交付中已不存在（即使同时新增了其他文件）。",
            ask_en: "Ask the vendor why the code was removed, and for the missing source if it is still in use.",
            ask_zh: "要求供应商说明删除原因；如代码仍在使用，要求补交缺失的源代码。",
        },
        FileRemoved => {
            code: "file-removed",
            default: Info,
            criterion: "① 源代码完整性",
            meaning_en: "A file of the previous deposit is not in this one.",
            meaning_zh: "上一次入库的快照中的文件在本次交付中不存在。",
            ask_en: "Check the change note explains the removal.",
            ask_zh: "核对修改说明中是否解释了删除原因。",
        },
        ChangeNoteMissing => {
            code: "change-note-missing",
            default: Warn,
            criterion: "④ 文档完整性",
            meaning_en: "Files changed since the previous deposit but no change note (修改说明) was deposited with them (--note).",
            meaning_zh: "与上一次入库的快照相比有文件变更，但没有随附修改说明文档（--note）。",
            ask_en: "Ask the vendor for the change notes the contract requires with every update.",
            ask_zh: "要求供应商按合同提供每次更新的修改说明文档。",
        },
    }
}

finding_codes! {
    /// Codes of the policy step's baseline (`--baseline FILE`).
    pub enum BaselineCode {
        BaselineStale => {
            code: "baseline-stale",
            default: Info,
            criterion: "③ 无技术壁垒",
            meaning_en: "An entry of the baseline file (--baseline) matches no finding any more: the problem it accepted is gone.",
            meaning_zh: "基线文件（--baseline）中的某条记录已不再对应任何问题：它所接受的问题已消失。",
            ask_en: "Remove the entry from the baseline file (or write it again with --write-baseline).",
            ask_zh: "从基线文件中删除该记录（或用 --write-baseline 重新生成）。",
        },
    }
}
