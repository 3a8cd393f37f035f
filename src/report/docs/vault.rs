//! `init` and `restore`.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::page_util::{VERSION, footer, size_text};
use super::{pick, short};
use crate::checks::human_bytes;
use crate::report::page::{Block, Field, Page, Text, Tone};
use crate::report::{Document, HumanStyle, Lang};
use crate::vault::LedgerEntry;
use crate::vault::restore::Restored;

/// The `init` document's schema version.
pub const INIT_SCHEMA_VERSION: u32 = 1;
/// The `restore` document's schema version.
pub const RESTORE_SCHEMA_VERSION: u32 = 1;

/// A vault created, or found already there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitDoc {
    /// The `init` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `init`.
    pub document: String,
    /// The vault folder.
    pub vault: String,
    /// False when the folder already was a vault.
    pub created: bool,
}

impl InitDoc {
    /// The document of `init`.
    pub fn new(vault: &Path, created: bool) -> InitDoc {
        InitDoc {
            schema_version: INIT_SCHEMA_VERSION,
            document: "init".to_owned(),
            vault: vault.display().to_string(),
            created,
        }
    }
}

impl Document for InitDoc {
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.init_page(lang))
    }

    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        match (style.lang, self.created) {
            (Lang::En, true) => writeln!(out, "created the escrow vault {}", self.vault),
            (Lang::En, false) => writeln!(out, "{} is already an escrow vault", self.vault),
            (Lang::Zh, true) => writeln!(out, "已创建托管库 {}", self.vault),
            (Lang::Zh, false) => writeln!(out, "{} 已经是托管库，未作改动", self.vault),
        }
    }
}

/// A file or folder recorded with setuid, setgid or sticky bits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialMode {
    /// The path as shown to people.
    pub path: String,
    /// The recorded mode & 0o7777.
    pub mode: u32,
}

/// A snapshot's tree rebuilt byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreDoc {
    /// The `restore` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `restore`.
    pub document: String,
    /// The snapshot id: SHA-256 of its record, 64 hex digits.
    pub snapshot: String,
    /// The snapshot's label.
    pub label: String,
    /// The folder restored into.
    pub target: String,
    /// Regular files written, each verified against its SHA-256.
    pub files: u64,
    /// Bytes in those files.
    pub bytes: u64,
    /// Folders created (or, with `--force`, found already there).
    pub dirs: u64,
    /// Symbolic links created.
    pub symlinks: u64,
    /// Special files recorded but never stored, so not restored.
    pub skipped: u64,
    /// Entries recorded with setuid, setgid or sticky bits.
    pub special_modes: Vec<SpecialMode>,
    /// Whether those bits were restored (`--keep-special-modes`) or removed.
    pub special_modes_kept: bool,
    /// Git settings and hooks that run commands, restored as delivered (`--allow-git-config`).
    pub git_config: Vec<String>,
    /// Where the repository history was written (`--history`).
    pub history: Option<String>,
}

impl RestoreDoc {
    /// The document of a finished restore.
    pub fn new(
        entry: &LedgerEntry,
        target: &Path,
        r: &Restored,
        keep_special_modes: bool,
        git_config: &[String],
        history: Option<&Path>,
    ) -> RestoreDoc {
        RestoreDoc {
            schema_version: RESTORE_SCHEMA_VERSION,
            document: "restore".to_owned(),
            snapshot: entry.snapshot.clone(),
            label: entry.label.clone(),
            target: target.display().to_string(),
            files: r.files,
            bytes: r.bytes,
            dirs: r.dirs,
            symlinks: r.symlinks,
            skipped: r.skipped,
            special_modes: r
                .special_modes
                .iter()
                .map(|(path, mode)| SpecialMode {
                    path: path.clone(),
                    mode: *mode,
                })
                .collect(),
            special_modes_kept: keep_special_modes,
            git_config: git_config.to_vec(),
            history: history.map(|h| h.display().to_string()),
        }
    }

    /// The first 20 special-mode entries, one per line, and how many more.
    fn special_list(&self, lang: Lang) -> String {
        let mut list: Vec<String> = self
            .special_modes
            .iter()
            .take(20)
            .map(|s| match lang {
                Lang::En => format!("  {} (recorded {:04o})", s.path, s.mode),
                Lang::Zh => format!("  {}（记录的权限 {:04o}）", s.path, s.mode),
            })
            .collect();
        let more = self.special_modes.len().saturating_sub(20);
        if more > 0 {
            list.push(match lang {
                Lang::En => format!("  … and {more} more"),
                Lang::Zh => format!("  … 另有 {more} 个"),
            });
        }
        list.join("\n")
    }

    fn render_en(&self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(h) = &self.history {
            writeln!(
                out,
                "wrote the repository history to {h} (read it with `git clone {h} DIR`)"
            )?;
        }
        writeln!(
            out,
            "restored {} ({}) into {}: {} files ({}), {} folders, {} symlinks; every file verified against its SHA-256",
            self.label,
            short(&self.snapshot),
            self.target,
            self.files,
            human_bytes(self.bytes),
            self.dirs,
            self.symlinks
        )?;
        if !self.special_modes.is_empty() {
            let list = self.special_list(Lang::En);
            if self.special_modes_kept {
                writeln!(
                    out,
                    "WARNING: restored with setuid, setgid or sticky bits as recorded (--keep-special-modes), owned by the user who ran restore: whoever runs a setuid file gets that user's rights. Source code never needs them:\n{list}"
                )?;
            } else {
                writeln!(
                    out,
                    "{} files or folders were recorded with setuid, setgid or sticky bits: restored without them, and without write access for group and others (source code never needs them):\n{list}",
                    self.special_modes.len()
                )?;
            }
        }
        if !self.git_config.is_empty() {
            writeln!(
                out,
                "WARNING: restored as delivered (--allow-git-config): these run commands as soon as Git or an IDE is used in {}; delete them before anyone does:\n  {}",
                self.target,
                self.git_config.join("\n  ")
            )?;
        }
        if self.skipped > 0 {
            writeln!(
                out,
                "{} special files (devices, FIFOs, sockets) were recorded but never stored, and are not restored",
                self.skipped
            )?;
        }
        Ok(())
    }

    fn render_zh(&self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(h) = &self.history {
            writeln!(
                out,
                "已将代码仓库的修改记录写入 {h}（用 `git clone {h} 目录名` 查看）"
            )?;
        }
        writeln!(
            out,
            "已将快照 {}（{}）恢复到 {}：文件 {} 个（{}），文件夹 {} 个，符号链接 {} 个；每个文件均已按 SHA-256 校验",
            self.label,
            short(&self.snapshot),
            self.target,
            self.files,
            human_bytes(self.bytes),
            self.dirs,
            self.symlinks
        )?;
        if !self.special_modes.is_empty() {
            let list = self.special_list(Lang::Zh);
            if self.special_modes_kept {
                writeln!(
                    out,
                    "警告：已按记录恢复 setuid、setgid 或粘滞位（--keep-special-modes），文件属于执行恢复的用户：任何人运行 setuid 文件都会获得该用户的权限。源代码从不需要这些权限位：\n{list}"
                )?;
            } else {
                writeln!(
                    out,
                    "有 {} 个文件或文件夹记录了 setuid、setgid 或粘滞位：恢复时已去掉这些权限位，并去掉了组和其他用户的写权限（源代码从不需要它们）：\n{list}",
                    self.special_modes.len()
                )?;
            }
        }
        if !self.git_config.is_empty() {
            writeln!(
                out,
                "警告：已按交付原样恢复（--allow-git-config）：在 {} 中一旦使用 Git 或 IDE，下列设置就会执行命令；请在任何人使用之前删除它们：\n  {}",
                self.target,
                self.git_config.join("\n  ")
            )?;
        }
        if self.skipped > 0 {
            writeln!(
                out,
                "有 {} 个特殊文件（设备、FIFO、套接字）只有记录、从未存储，未恢复",
                self.skipped
            )?;
        }
        Ok(())
    }
}

impl Document for RestoreDoc {
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.restore_page(lang))
    }

    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        match style.lang {
            Lang::En => self.render_en(out),
            Lang::Zh => self.render_zh(out),
        }
    }
}

impl InitDoc {
    /// The vault's creation as a short page.
    fn init_page(&self, lang: Lang) -> Page {
        let mut page = Page::new(lang, pick(lang, "Escrow vault", "托管库"));
        page.subtitle = Some(self.vault.clone());
        let (headline, detail) = match (lang, self.created) {
            (Lang::En, true) => (
                "CREATED",
                "The escrow vault was created; it holds no snapshot yet.",
            ),
            (Lang::En, false) => (
                "ALREADY A VAULT",
                "The folder already was an escrow vault; nothing was changed.",
            ),
            (Lang::Zh, true) => ("已创建", "托管库已创建，其中还没有快照。"),
            (Lang::Zh, false) => ("已是托管库", "该文件夹已经是托管库，未作改动。"),
        };
        page.push(Block::Verdict {
            headline: headline.to_owned(),
            detail: detail.to_owned(),
            tone: Tone::Good,
        });
        page.push(Block::Fields(vec![Field::new(
            pick(lang, "Vault", "托管库"),
            Text::mono(&self.vault),
        )]));
        page.footer = footer(lang, VERSION, None);
        page
    }
}

impl RestoreDoc {
    /// What was restored, as fields.
    fn restore_fields(&self, lang: Lang) -> Block {
        let mut f = vec![
            Field::new(pick(lang, "Snapshot", "快照"), self.label.as_str()),
            Field::new(
                pick(lang, "Snapshot id", "快照编号"),
                Text::mono(&self.snapshot),
            ),
            Field::new(
                pick(lang, "Restored into", "恢复到"),
                Text::mono(&self.target),
            ),
            Field::new(pick(lang, "Files", "文件"), self.files.to_string()),
            Field::new(pick(lang, "Size", "大小"), size_text(self.bytes, lang)),
            Field::new(pick(lang, "Folders", "文件夹"), self.dirs.to_string()),
            Field::new(
                pick(lang, "Symbolic links", "符号链接"),
                self.symlinks.to_string(),
            ),
        ];
        if self.skipped > 0 {
            f.push(Field::new(
                pick(lang, "Special files not restored", "未恢复的特殊文件"),
                Text::toned(self.skipped.to_string(), Tone::Warn),
            ));
        }
        if let Some(h) = &self.history {
            f.push(Field::new(
                pick(lang, "Repository history", "代码仓库修改记录"),
                Text::mono(h),
            ));
        }
        Block::Fields(f)
    }

    /// The restore as a short page: a sentence, the fields, and every warning.
    fn restore_page(&self, lang: Lang) -> Page {
        let mut page = Page::new(lang, pick(lang, "Snapshot restored", "快照恢复记录"));
        page.subtitle = Some(self.label.clone());
        page.running_head = format!("{} · {}", page.title, self.label);
        page.push(Block::Verdict {
            headline: pick(lang, "RESTORED", "已恢复").to_owned(),
            detail: match lang {
                Lang::En => format!(
                    "Snapshot \"{}\" was restored into {}; every file was verified against its recorded SHA-256.",
                    self.label, self.target
                ),
                Lang::Zh => format!(
                    "快照「{}」已恢复到 {}；每个文件均已按记录的 SHA-256 校验。",
                    self.label, self.target
                ),
            },
            tone: Tone::Good,
        });
        page.push(self.restore_fields(lang));
        if !self.special_modes.is_empty() {
            let (text, tone) = if self.special_modes_kept {
                (
                    pick(
                        lang,
                        "Restored WITH setuid, setgid or sticky bits as recorded (--keep-special-modes): whoever runs a setuid file gets the rights of the user who ran restore. Source code never needs them:",
                        "已按记录恢复 setuid、setgid 或粘滞位（--keep-special-modes）：任何人运行 setuid 文件都会获得执行恢复的用户的权限。源代码从不需要这些权限位：",
                    ),
                    Tone::Bad,
                )
            } else {
                (
                    pick(
                        lang,
                        "These were recorded with setuid, setgid or sticky bits: restored without them, and without write access for group and others:",
                        "下列文件或文件夹记录了 setuid、setgid 或粘滞位：恢复时已去掉这些权限位，并去掉了组和其他用户的写权限：",
                    ),
                    Tone::Warn,
                )
            };
            page.push(Block::Paragraph(Text::toned(text, tone)));
            let items = self
                .special_list(lang)
                .lines()
                .map(|l| Text::mono(l.trim()))
                .collect();
            page.push(Block::List {
                ordered: false,
                items,
            });
        }
        if !self.git_config.is_empty() {
            page.push(Block::Paragraph(Text::toned(
                match lang {
                    Lang::En => format!("WARNING: restored as delivered (--allow-git-config): these run commands as soon as Git or an IDE is used in {}; delete them before anyone does:", self.target),
                    Lang::Zh => format!("警告：已按交付原样恢复（--allow-git-config）：在 {} 中一旦使用 Git 或 IDE，下列设置就会执行命令；请在任何人使用之前删除它们：", self.target),
                },
                Tone::Bad,
            )));
            page.push(Block::List {
                ordered: false,
                items: self.git_config.iter().map(Text::mono).collect(),
            });
        }
        page.footer = footer(lang, VERSION, None);
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::docs::page_util::testing::text;

    #[test]
    fn init_says_what_happened_to_the_vault() {
        let zh = InitDoc::new(Path::new("/srv/v"), true)
            .page(Lang::Zh)
            .unwrap();
        assert!(text(&zh).contains("托管库已创建") && text(&zh).contains("/srv/v"));
        let en = InitDoc::new(Path::new("/srv/v"), false)
            .page(Lang::En)
            .unwrap();
        assert!(text(&en).contains("nothing was changed"));
    }

    #[test]
    fn restore_gives_what_was_restored_and_every_warning() {
        let mut d = RestoreDoc {
            schema_version: RESTORE_SCHEMA_VERSION,
            document: "restore".to_owned(),
            snapshot: "5".repeat(64),
            label: "v2.4".to_owned(),
            target: "/tmp/out".to_owned(),
            files: 3,
            bytes: 12345,
            dirs: 1,
            symlinks: 0,
            skipped: 0,
            special_modes: Vec::new(),
            special_modes_kept: false,
            git_config: Vec::new(),
            history: None,
        };
        let zh = d.page(Lang::Zh).unwrap();
        let t = text(&zh);
        assert!(
            t.contains(&"5".repeat(64)) && t.contains("12345 字节") && t.contains("SHA-256 校验")
        );
        assert!(!t.contains("警告"));
        d.git_config = vec![".git/config: core.fsmonitor".to_owned()];
        d.special_modes = vec![SpecialMode {
            path: "bin/run".to_owned(),
            mode: 0o4755,
        }];
        let en = text(&d.page(Lang::En).unwrap());
        assert!(en.contains("WARNING") && en.contains("core.fsmonitor"));
        assert!(en.contains("bin/run (recorded 4755)") && en.contains("restored without them"));
    }
}
