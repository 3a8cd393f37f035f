//! A vault with two snapshots, a go-live and a final payment, for the document tests
//! (`json_docs`, `transcripts`): every command has something to say about it.

use std::path::{Path, PathBuf};

use crate::common::{Run, chaoyang, copy_dir, escrow, sample, write};

pub struct Scene {
    pub tmp: tempfile::TempDir,
    pub vault: PathBuf,
    /// The second delivery: the sample with README.md changed.
    pub v2: PathBuf,
    /// The vendor's change note for v2 (CRLF line ends, as written on Windows).
    pub note: PathBuf,
}

impl Scene {
    /// An empty folder with the second delivery and its note ready; no vault yet.
    pub fn new() -> Scene {
        let tmp = tempfile::tempdir().unwrap();
        let v2 = tmp.path().join("delivery-v2");
        copy_dir(&sample(), &v2);
        let readme = std::fs::read_to_string(v2.join("README.md")).unwrap_or_default();
        write(
            &v2,
            "README.md",
            format!("{readme}\nv2.3.1: 门诊预约改版\n"),
        );
        let note = tmp.path().join("修改说明.txt");
        std::fs::write(&note, "v2.3.1 修改说明\r\n- 门诊预约改版\r\n").unwrap();
        Scene {
            vault: tmp.path().join("vault"),
            tmp,
            v2,
            note,
        }
    }

    /// `escrow ARGS --vault VAULT EXTRA…`.
    pub fn run(&self, args: &[&str], extra: &[&str]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--vault", self.vault.to_str().unwrap()]);
        all.extend(extra);
        escrow(all)
    }

    /// Deposit the sample as v1 and the changed copy as v2 (with its note), quietly.
    pub fn two_snapshots(&self) {
        self.deposit_v1(&["-q"]);
        self.deposit_v2(&["-q"]);
    }

    pub fn deposit_v1(&self, extra: &[&str]) -> Run {
        let r = self.run(
            &[
                "deposit",
                path(&sample()),
                "-m",
                path(&chaoyang()),
                "-l",
                "v1",
            ],
            extra,
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        r
    }

    pub fn deposit_v2(&self, extra: &[&str]) -> Run {
        let r = self.run(
            &[
                "deposit",
                path(&self.v2),
                "-m",
                path(&chaoyang()),
                "-l",
                "v2",
                "--note",
                path(&self.note),
            ],
            extra,
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        r
    }

    /// Where `restore` writes.
    pub fn restore_target(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
}

pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}
