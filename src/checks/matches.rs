//! What each requirement's globs match in a delivery, glob by glob (`escrow manifest check
//! MANIFEST --against DELIVERY`): to see, before checking, whether the manifest's paths name the
//! vendor's folders.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use globset::Candidate;
use rayon::prelude::*;

use super::config::{Requirement, RequirementKind};
use super::coverage::{self, Coverage};
use crate::delivery::{Entry, EntryKind, names};

/// Paths a glob's result lists as a sample.
pub const GLOB_SAMPLE: usize = 3;

/// Paths a requirement's result lists as a sample.
pub const REQUIREMENT_SAMPLE: usize = 5;

/// What one glob matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobMatch {
    /// The glob as written in the manifest.
    pub glob: String,
    /// Its line in the manifest, from 1.
    pub line: usize,
    /// Delivered files it matches (`paths`), or entries of any kind (`required-files`: files,
    /// folders, links).
    pub matches: u64,
    /// The first of them (at most [`GLOB_SAMPLE`]), in path order, readable.
    pub sample: Vec<String>,
}

/// What one requirement's globs match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementMatch {
    /// Its kind.
    pub kind: RequirementKind,
    /// Its id in the manifest.
    pub id: String,
    /// Its name in the manifest.
    pub name: String,
    /// Delivered files any of its `paths` globs matches (each counted once).
    pub files: u64,
    /// The first of them (at most [`REQUIREMENT_SAMPLE`]), in path order, readable.
    pub sample: Vec<String>,
    /// Each `paths` glob, in manifest order.
    pub globs: Vec<GlobMatch>,
    /// Each `required-files` glob, in manifest order.
    pub required_files: Vec<GlobMatch>,
}

/// What a manifest's requirements match in a delivery, and what they leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matches {
    /// One result per requirement, in manifest order.
    pub requirements: Vec<RequirementMatch>,
    /// The delivered files no requirement matches, as the check report gives them.
    pub coverage: Coverage,
}

/// Match every file of `entries` (an inventory, sorted by path) against every glob of every
/// requirement, in parallel, as the requirement checks match them (a GBK-encoded name also in
/// its decoded form); `required-files` globs against every entry, as the checks do. The matches
/// are kept as (entry, requirement, glob) index triples, 12 bytes each.
pub fn matches(
    requirements: &[Requirement],
    rules: coverage::Rules<'_>,
    entries: &[Entry],
) -> Matches {
    let triples: Vec<(u32, u32, u32)> = entries
        .par_iter()
        .enumerate()
        .map_init(Vec::new, |globs: &mut Vec<usize>, (n, e)| {
            let mut hits = Vec::new();
            if e.kind != EntryKind::File {
                return hits;
            }
            let cand = Candidate::new(Path::new(OsStr::from_bytes(&e.path)));
            let gbk = names::gbk_decoded(&e.path);
            let gbk = gbk.as_deref().map(|s| Candidate::new(Path::new(s)));
            let n = u32::try_from(n).expect("fewer than 2^32 entries");
            for (i, r) in requirements.iter().enumerate() {
                let i = u32::try_from(i).expect("fewer than 2^32 requirements");
                let start = hits.len();
                let glob = |g: usize| u32::try_from(g).expect("fewer than 2^32 globs");
                r.matcher.matches_candidate_into(&cand, globs);
                hits.extend(globs.iter().map(|&g| (n, i, glob(g))));
                if let Some(c) = &gbk {
                    r.matcher.matches_candidate_into(c, globs);
                    for &g in globs.iter() {
                        if !hits[start..].contains(&(n, i, glob(g))) {
                            hits.push((n, i, glob(g)));
                        }
                    }
                }
            }
            hits
        })
        .flatten_iter()
        .collect();
    let mut covered = vec![false; entries.len()];
    for &(n, ..) in &triples {
        covered[n as usize] = true;
    }
    let coverage = coverage::summarise(entries, &|n| covered[n], rules);

    let mut out: Vec<RequirementMatch> = requirements
        .iter()
        .map(|r| RequirementMatch {
            kind: r.kind,
            id: r.id.clone(),
            name: r.name.clone(),
            files: 0,
            sample: Vec::new(),
            globs: r
                .paths
                .iter()
                .zip(&r.path_lines)
                .map(|(glob, line)| GlobMatch {
                    glob: glob.clone(),
                    line: *line,
                    matches: 0,
                    sample: Vec::new(),
                })
                .collect(),
            required_files: r
                .required_files
                .iter()
                .zip(&r.required_lines)
                .map(|((glob, m), line)| required(glob, *line, m, entries))
                .collect(),
        })
        .collect();
    // Triples come in entry order: the samples are the first paths.
    let mut last: Vec<Option<u32>> = vec![None; requirements.len()];
    for (n, i, g) in triples {
        let path = || entries[n as usize].display_path();
        let r = &mut out[i as usize];
        if last[i as usize] != Some(n) {
            last[i as usize] = Some(n);
            r.files += 1;
            if r.sample.len() < REQUIREMENT_SAMPLE {
                r.sample.push(path());
            }
        }
        if let Some(glob) = r.globs.get_mut(g as usize) {
            glob.matches += 1;
            if glob.sample.len() < GLOB_SAMPLE {
                glob.sample.push(path());
            }
        }
    }
    Matches {
        requirements: out,
        coverage,
    }
}

/// What a `required-files` glob matches: entries of any kind, as the check counts them.
fn required(glob: &str, line: usize, m: &globset::GlobMatcher, entries: &[Entry]) -> GlobMatch {
    let is = |e: &Entry| m.is_match(Path::new(OsStr::from_bytes(&e.path)));
    GlobMatch {
        glob: glob.to_owned(),
        line,
        matches: entries.par_iter().filter(|e| is(e)).count() as u64,
        sample: entries
            .iter()
            .filter(|e| is(e))
            .take(GLOB_SAMPLE)
            .map(Entry::display_path)
            .collect(),
    }
}
