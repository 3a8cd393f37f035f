//! Property: restore(deposit(tree)) == tree, over generated trees (library API).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use proptest::prelude::*;

use crate::common::chaoyang;
use crate::vault::snapshot_tree;

#[derive(Debug, Clone)]
enum Node {
    File(Vec<u8>, bool),
    Dir,
    Link(Vec<u8>),
}

fn name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-zA-Z0-9_.-]{1,12}".prop_map(String::into_bytes),
        "[部署手册病历\\p{Han}]{1,4}".prop_map(String::into_bytes),
        proptest::collection::vec(1u8..=255, 1..8),
    ]
    .prop_filter("a usable file name", |n| {
        n.as_slice() != b"." && n.as_slice() != b".." && !n.contains(&b'/')
    })
}

fn tree() -> impl Strategy<Value = Vec<(Vec<Vec<u8>>, Node)>> {
    let node = prop_oneof![
        (
            proptest::collection::vec(any::<u8>(), 0..3000),
            any::<bool>()
        )
            .prop_map(|(c, x)| Node::File(c, x)),
        Just(Node::Dir),
        proptest::collection::vec(1u8..=255, 1..20).prop_map(Node::Link),
    ];
    proptest::collection::vec((proptest::collection::vec(name(), 1..4), node), 1..25)
}

fn build(root: &Path, nodes: &[(Vec<Vec<u8>>, Node)]) {
    for (parts, node) in nodes {
        let mut path = root.to_path_buf();
        for (i, part) in parts.iter().enumerate() {
            path.push(OsStr::from_bytes(part));
            let last = i + 1 == parts.len();
            if !last {
                if path.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
                    return;
                }
                let _ = std::fs::create_dir(&path);
            }
        }
        if path.symlink_metadata().is_ok() {
            continue;
        }
        match node {
            Node::File(content, exec) => {
                std::fs::write(&path, content).unwrap();
                let mode = if *exec { 0o755 } else { 0o640 };
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            }
            Node::Dir => std::fs::create_dir(&path).unwrap(),
            Node::Link(t) => std::os::unix::fs::symlink(OsStr::from_bytes(t), &path).unwrap(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn restore_of_deposit_is_identity(nodes in tree()) {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        std::fs::create_dir(&src).unwrap();
        build(&src, &nodes);
        let (vault, _) = escrow::vault::Vault::init(&tmp.path().join("vault")).unwrap();
        let manifest = chaoyang();
        let args = escrow::DepositArgs {
            delivery: &src,
            manifest: &manifest,
            label: "p".to_owned(),
            note: None,
            now: "2026-03-10T09:00:00Z".to_owned(),
            ingest: escrow::delivery::Ingest::default(),
            build: None,
            baseline: None,
            answers: Vec::new(),
            amend_terms: None,
        };
        let dep = escrow::deposit(&vault, &args, &escrow::progress::NoProgress).unwrap();
        let out = tmp.path().join("out");
        escrow::vault::restore::restore(&vault, &dep.id, &out, false, false, &escrow::progress::NoProgress).unwrap();
        prop_assert_eq!(snapshot_tree(&src), snapshot_tree(&out));
    }
}
