//! The codes ingest gives (archives, Git repositories, the inventory walk), with their texts.

use crate::finding::finding_codes;

finding_codes! {
    /// Codes of ingest: unsafe or encrypted archives, Git repositories, odd files in the tree.
    pub enum DeliveryCode {
        ArchiveEncrypted => {
            code: "archive-encrypted",
            default: Deny,
            criterion: "③ 无技术壁垒",
            meaning_en: "Entries of the delivered archive are password-protected: they could not be read, and the contract forbids encryption.",
            meaning_zh: "交付的压缩包中有设置密码的条目：无法读取，且合同禁止加密。",
            ask_en: "Ask the vendor for the same files without a password.",
            ask_zh: "要求供应商提供不加密码的同一批文件。",
        },
        ArchiveUnsafePath => {
            code: "archive-unsafe-path",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "Archive entries with absolute or climbing paths (/, C:, ..), entries whose folder passes through a symbolic link of the archive, or hard links out of the archive: they were refused, not unpacked.",
            meaning_zh: "压缩包中有使用绝对路径或向上跳转路径（/、C:、..）的条目、所在目录经过压缩包内符号链接的条目，或指向压缩包外的硬链接：已拒绝，未解压。",
            ask_en: "Ask the vendor to repack the delivery with relative paths inside one folder.",
            ask_zh: "要求供应商使用相对路径重新打包交付物。",
        },
        GitDotgitInTree => {
            code: "git-dotgit-in-tree",
            default: Deny,
            criterion: "③ 无技术壁垒",
            meaning_en: "The repository's tree holds a path component named `.git` (in any letter case): checked out, it would become a live Git folder whose settings can run the vendor's commands. It was not unpacked.",
            meaning_zh: "代码仓库的文件树中含有名为 `.git`（不区分大小写）的路径：检出后会成为可执行供应商命令的 Git 配置目录。已拒绝，未解出。",
            ask_en: "Ask the vendor to remove the `.git` folder from the committed tree and deliver again.",
            ask_zh: "要求供应商从提交的文件树中删除 `.git` 目录后重新交付。",
        },
        GitConfigExecutes => {
            code: "git-config-executes",
            default: Deny,
            criterion: "③ 无技术壁垒",
            meaning_en: "A delivered Git configuration or hook runs a command when Git is used in the folder (`core.fsmonitor`, `core.hooksPath`, `core.sshCommand`, `filter.*.clean/smudge/process`, `diff.external`, an executable hook): running `git status` there (or opening the folder in an IDE, which runs Git) would run the vendor's command with your rights. escrow never runs it.",
            meaning_zh: "交付物中的 Git 配置或钩子会在使用 Git 时执行命令（`core.fsmonitor`、`core.hooksPath`、`core.sshCommand`、`filter.*.clean/smudge/process`、`diff.external`、可执行的钩子）：在该目录执行 `git status` （或用会自动调用 git 的 IDE 打开该目录）就会以您的身份运行供应商的命令。escrow 不会执行这些命令。",
            ask_en: "Ask the vendor to deliver without these settings and hooks, and to explain what they were for.",
            ask_zh: "要求供应商去掉这些配置和钩子后重新交付，并说明其用途。",
        },
        FileSetuid => {
            code: "file-setuid",
            default: Warn,
            criterion: "③ 无技术壁垒",
            meaning_en: "A delivered file has the setuid or setgid bit (or the sticky bit): whoever runs it gets the rights of the file's owner or group (root's, if root owns it). escrow did not run it, never gives staged files these bits, and restore removes them unless told otherwise.",
            meaning_zh: "交付的文件带有 setuid 或 setgid 权限位（或 sticky 位）：任何用户运行它时，都会获得文件所有者或所属组的权限（所有者为 root 时即 root 权限）。escrow 没有运行它，解出的文件不带这些权限位，恢复（restore）时默认也会去掉。",
            ask_en: "Ask the vendor why the file needs these bits (source code never does). In a delivery folder on this machine, remove them now: chmod u-s,g-s FILE.",
            ask_zh: "要求供应商说明该文件为何需要这些权限位（源代码不需要）。若交付目录就在本机，请先去掉该权限位：chmod u-s,g-s 文件名。",
        },
        ArchiveDuplicateEntry => {
            code: "archive-duplicate-entry",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "The archive holds the same path more than once with different contents: escrow checked and kept the first copy, while GNU tar and most unpacking tools give the last one, which was not checked. What the hospital would unpack is not what was checked.",
            meaning_zh: "压缩包中同一路径出现多次且内容不同：escrow 检查并保存的是第一个，而 GNU tar 等常用解压工具得到的是最后一个（未经检查）。医院解压得到的内容与检查的内容不一致。",
            ask_en: "Ask the vendor which version is right, and for an archive without duplicates.",
            ask_zh: "要求供应商确认正确版本，并提供没有重复条目的压缩包。",
        },
        GitSubmoduleMissing => {
            code: "git-submodule-missing",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "The repository refers to submodules (other repositories): their source is not in this delivery.",
            meaning_zh: "仓库引用了子模块（其他仓库）：其源代码不在本次交付中。",
            ask_en: "Ask for the submodules' source, or a repository with it included.",
            ask_zh: "要求供应商提供子模块的源代码，或包含子模块内容的仓库。",
        },
        GitLfsPointer => {
            code: "git-lfs-pointer",
            default: Deny,
            criterion: "① 源代码完整性",
            meaning_en: "Files are Git LFS pointers: the repository holds only a reference, the content is on the vendor's LFS server.",
            meaning_zh: "文件为 Git LFS 指针：仓库中只有引用，实际内容在供应商的 LFS 服务器上。",
            ask_en: "Ask for the files' real content (git lfs fetch, or a plain copy).",
            ask_zh: "要求供应商提供文件的实际内容（git lfs fetch 或直接提供文件）。",
        },
        SymlinkOutsideDelivery => {
            code: "symlink-outside-delivery",
            default: Warn,
            criterion: "① 源代码完整性",
            meaning_en: "A symbolic link points outside the delivery (or is absolute): what it points to was not delivered. It is recorded, never followed.",
            meaning_zh: "符号链接指向交付物之外（或为绝对路径）：其指向的内容并未交付。已记录，未跟随。",
            ask_en: "Ask for the linked content itself, or a delivery without links to the vendor's machine.",
            ask_zh: "要求供应商交付链接指向的实际内容，而不是指向其自身机器的链接。",
        },
        SpecialFileSkipped => {
            code: "special-file-skipped",
            default: Info,
            criterion: "① 源代码完整性",
            meaning_en: "A device, FIFO or socket in the delivery was skipped: it holds no source.",
            meaning_zh: "交付物中的设备文件、管道或套接字已跳过：其中不含源代码。",
            ask_en: "Nothing, unless the vendor says it matters.",
            ask_zh: "无需处理，除非供应商说明其有用途。",
        },
    }
}
