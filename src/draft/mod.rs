//! Drafting a manifest from a delivery (`escrow manifest init`): the modules its build
//! structure declares (`modules`), the contracted module names mapped onto them (`contract`),
//! and the documents, database scripts and dependency files found by name, written as a
//! manifest a person reviews.
//!
//! The drafter sees a delivery through [`Files`]: the list of its regular files and the bytes of
//! the small ones it asks for, whatever the delivery's form (folder, archive, git).

mod compose;
pub mod contract;
pub mod found;
pub mod modules;
mod open;

pub use compose::{Draft, DraftError, Origin, REVIEW, draft};
pub use open::{DeliveryFiles, DraftKeep};

use std::collections::BTreeMap;

/// One regular file of the delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// Relative to the delivery root, `/` between folders; a name that is not UTF-8 is shown
    /// decoded as GBK where it is valid GBK (as the checks match it), lossily otherwise.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
}

/// A delivery as the drafter sees it.
pub trait Files {
    /// Every regular file, sorted by path.
    fn list(&self) -> &[FileInfo];
    /// The bytes of the file at `path` (a path of `list`), or `None` when it cannot be read or
    /// is larger than `max` bytes.
    fn read(&self, path: &str, max: u64) -> Option<Vec<u8>>;
    /// The file at `path` as a stream, for files that may be large (database dumps), or `None`
    /// when it cannot be read. By default the whole file through [`Files::read`], up to
    /// [`READ_WHOLE_MAX`] bytes.
    fn reader(&self, path: &str) -> Option<Box<dyn std::io::Read + '_>> {
        self.read(path, READ_WHOLE_MAX)
            .map(|b| Box::new(std::io::Cursor::new(b)) as Box<dyn std::io::Read>)
    }
}

/// The largest file [`Files::reader`] reads whole by default: 256 MiB.
pub const READ_WHOLE_MAX: u64 = 256 * 1024 * 1024;

/// A delivery held in memory: for tests, and for callers that already have the bytes.
#[derive(Debug, Clone, Default)]
pub struct MemFiles {
    list: Vec<FileInfo>,
    bytes: BTreeMap<String, Vec<u8>>,
}

impl MemFiles {
    /// A delivery of these `(path, content)` pairs.
    pub fn new<P: Into<String>, B: Into<Vec<u8>>>(files: impl IntoIterator<Item = (P, B)>) -> Self {
        let bytes: BTreeMap<String, Vec<u8>> = files
            .into_iter()
            .map(|(p, b)| (p.into(), b.into()))
            .collect();
        let list = bytes
            .iter()
            .map(|(p, b)| FileInfo {
                path: p.clone(),
                size: b.len() as u64,
            })
            .collect();
        MemFiles { list, bytes }
    }
}

impl Files for MemFiles {
    fn list(&self) -> &[FileInfo] {
        &self.list
    }

    fn read(&self, path: &str, max: u64) -> Option<Vec<u8>> {
        self.bytes
            .get(path)
            .filter(|b| b.len() as u64 <= max)
            .cloned()
    }
}

/// The build system that declared a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuildSystem {
    /// A Maven `pom.xml` (a reactor's `<module>` or a single project).
    Maven,
    /// A Gradle `settings.gradle(.kts)` `include` or a single `build.gradle(.kts)`.
    Gradle,
    /// A Visual Studio solution's project (`.csproj`, `.vbproj`, `.vcxproj`, …) or a lone project.
    VisualStudio,
    /// An npm workspace (`package.json` `workspaces`) or a lone `package.json`.
    Npm,
    /// A pnpm workspace (`pnpm-workspace.yaml`).
    Pnpm,
    /// A Yarn workspace (`package.json` `workspaces` with a `yarn.lock`).
    Yarn,
    /// A Python package (`pyproject.toml`, `setup.py`, `setup.cfg`, or a folder with
    /// `__init__.py`).
    Python,
    /// A Go module (`go.mod`).
    Go,
    /// No build file: a top-level folder holding source code.
    Folder,
}

impl BuildSystem {
    /// How reports and comments name it: "Maven", "Gradle", "Visual Studio", "npm", "pnpm",
    /// "Yarn", "Python", "Go", "folder".
    pub fn label(self) -> &'static str {
        match self {
            BuildSystem::Maven => "Maven",
            BuildSystem::Gradle => "Gradle",
            BuildSystem::VisualStudio => "Visual Studio",
            BuildSystem::Npm => "npm",
            BuildSystem::Pnpm => "pnpm",
            BuildSystem::Yarn => "Yarn",
            BuildSystem::Python => "Python",
            BuildSystem::Go => "Go",
            BuildSystem::Folder => "folder",
        }
    }
}

/// A module of the delivery, as its build structure declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedModule {
    /// A manifest id: lower-case ASCII letters, digits and `-`, unique among the modules found.
    pub id: String,
    /// The best name for people: the build file's own name (Maven `<name>`, a project's title,
    /// a package's name), else the folder's name.
    pub name: String,
    /// The module's folder, relative to the delivery root, `/` between folders; empty for the
    /// root itself.
    pub root: String,
    /// The globs that select its files (e.g. `["his/his-register/**"]`).
    pub paths: Vec<String>,
    /// What declared it.
    pub build_system: BuildSystem,
    /// What was found, for the manifest's comment, e.g.
    /// `Maven module "his-register" <name>挂号管理</name> in his/his-register/pom.xml`.
    pub found: String,
    /// Files under `paths` counted as source code by the checks' default extensions.
    pub source_files: u64,
    /// Source files by language (extension, lower case), most first.
    pub languages: Vec<(String, u64)>,
    /// Every name the build files give the module (artifactId, `<name>`, `<description>`,
    /// assembly title, package name, folder name), for matching contracted module names.
    pub names: Vec<String>,
}
