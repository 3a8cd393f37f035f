//! The codes the sandboxed build gives, with their texts.

use crate::finding::finding_codes;

finding_codes! {
    /// Codes of the build in the sandbox.
    pub enum BuildCode {
        BuildFailed => {
            code: "build-failed",
            default: Deny,
            criterion: "② 可运行性",
            meaning_en: "The build command from the manifest exited with an error in the isolated build (evidence: the last lines of its log).",
            meaning_zh: "按清单中的编译命令在隔离环境中编译失败（证据：编译日志的最后几行）。",
            ask_en: "Ask the vendor to fix the build, or the build guide (编译环境说明), so that it builds from the delivered files alone.",
            ask_zh: "要求供应商修正编译错误或编译环境说明，使仅凭交付的文件即可编译成功。",
        },
        BuildTimeout => {
            code: "build-timeout",
            default: Deny,
            criterion: "② 可运行性",
            meaning_en: "The build did not finish within the manifest's timeout: it was stopped, with every process it started.",
            meaning_zh: "编译未在清单规定的时限内完成：已终止编译及其启动的全部进程。",
            ask_en: "Ask why the build hangs (often: waiting for a download or a prompt), or raise `timeout` if the build is just long.",
            ask_zh: "要求供应商说明编译卡住的原因（常见为等待下载或交互输入）；如只是耗时较长，可调大 `timeout`。",
        },
        BuildNetworkRequired => {
            code: "build-network-required",
            default: Deny,
            criterion: "② 可运行性",
            meaning_en: "The build failed trying to reach the network (DNS failures, refused or unreachable connections, Maven, Gradle, npm, pip, Go, NuGet or Cargo downloads): it needs something that was not delivered (evidence: the log lines).",
            meaning_zh: "编译因尝试访问网络而失败（域名解析失败、连接被拒或不可达，Maven、Gradle、npm、pip、Go、NuGet、Cargo 下载等）：编译依赖未随交付物提供的内容（证据：日志中的相关行）。",
            ask_en: "Ask the vendor to deliver every dependency with the source (vendored: a local Maven repository, node_modules or an npm cache, pip wheels, Go vendor/, NuGet packages) and a build guide that works offline.",
            ask_zh: "要求供应商随源代码交付全部依赖（本地 Maven 仓库、node_modules 或 npm 缓存、pip wheel 包、Go vendor 目录、NuGet 包等），并提供可离线编译的编译环境说明。",
        },
        BuildOutputMissing => {
            code: "build-output-missing",
            default: Deny,
            criterion: "② 可运行性",
            meaning_en: "The build succeeded but a declared output (`outputs`) was not produced: what the build makes is not what the contract expects.",
            meaning_zh: "编译成功，但清单 `outputs` 声明的编译产物未生成：编译结果与合同要求不符。",
            ask_en: "Ask the vendor which command produces the deployable artefacts, and for a build that makes them.",
            ask_zh: "要求供应商说明生成可部署产物的命令，并提供能生成这些产物的编译方式。",
        },
        BuildNotReproducible => {
            code: "build-not-reproducible",
            default: Warn,
            criterion: "② 可运行性",
            meaning_en: "Built twice in different folders with the same SOURCE_DATE_EPOCH (--reproducible), declared outputs differ: the artefacts cannot be matched to the source by rebuilding.",
            meaning_zh: "在不同目录、相同 SOURCE_DATE_EPOCH 下编译两次（--reproducible），声明的编译产物内容不同：无法通过重新编译证明产物与源代码对应。",
            ask_en: "Ask the vendor to make the build reproducible (no build time, path or random value in the outputs).",
            ask_zh: "要求供应商使编译可重现（产物中不写入编译时间、路径或随机值）。",
        },
        BuildNetworkAllowed => {
            code: "build-network-allowed",
            default: Warn,
            criterion: "② 可运行性",
            meaning_en: "The manifest lets the build use the network (`network = true`): a successful build does not prove the delivery is complete.",
            meaning_zh: "清单允许编译访问网络（`network = true`）：编译成功并不能证明交付物完整。",
            ask_en: "Ask for the dependencies to be delivered, then build with `network = false`.",
            ask_zh: "要求供应商交付全部依赖，然后以 `network = false` 重新编译。",
        },
        BuildSandboxWeak => {
            code: "build-sandbox-weak",
            default: Warn,
            criterion: "② 可运行性",
            meaning_en: "The build ran with less isolation than bubblewrap gives (the `unshare` fallback, or `--no-sandbox`): the result is less trustworthy and the build could change files on this machine.",
            meaning_zh: "编译的隔离程度低于 bubblewrap（使用了 `unshare` 退化模式或 `--no-sandbox`）：结果可信度较低，编译过程可能修改本机文件。",
            ask_en: "Nothing of the vendor: install bubblewrap (`apt-get install bubblewrap`) and build again.",
            ask_zh: "无需供应商处理：安装 bubblewrap（`apt-get install bubblewrap`）后重新编译。",
        },
    }
}
