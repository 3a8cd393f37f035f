//! The isolated build: real builds (C/Make, Cargo, Python) in the real sandbox, and the ways a
//! vendor's build goes wrong: failing, hanging, downloading, escaping its copy, forking without
//! end, producing other outputs than declared, or different outputs each time.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{Run, codes, escrow, escrow_command, run, with_code, write};

/// A delivery in `tmp/delivery` and a manifest `tmp/manifest.toml` with `build` as its body.
struct Project {
    tmp: tempfile::TempDir,
    delivery: PathBuf,
    manifest: PathBuf,
}

impl Project {
    fn new(files: &[(&str, &str)], build: &str) -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let delivery = tmp.path().join("delivery");
        std::fs::create_dir(&delivery).unwrap();
        for (path, content) in files {
            write(&delivery, path, content);
        }
        let manifest = tmp.path().join("manifest.toml");
        std::fs::write(&manifest, format!("schema-version = 1\n{build}")).unwrap();
        Project {
            tmp,
            delivery,
            manifest,
        }
    }

    /// `escrow build DELIVERY -m MANIFEST ARGS…`, whatever its exit code.
    fn raw(&self, args: &[&OsStr]) -> Run {
        let mut all: Vec<&OsStr> = vec![
            OsStr::new("build"),
            self.delivery.as_os_str(),
            OsStr::new("-m"),
            self.manifest.as_os_str(),
        ];
        all.extend_from_slice(args);
        escrow(all)
    }

    fn log(&self) -> PathBuf {
        self.tmp.path().join("build.log")
    }

    /// `escrow deposit DELIVERY -m MANIFEST --label v1 --build --log LOG --vault VAULT ARGS…`
    fn deposit_build(&self, vault: &Path, args: &[&str]) -> std::process::Command {
        let mut cmd = escrow_command();
        cmd.arg("deposit")
            .arg(&self.delivery)
            .arg("-m")
            .arg(&self.manifest)
            .args(["--label", "v1", "--build", "--log"])
            .arg(self.log())
            .arg("--vault")
            .arg(vault)
            .args(args);
        cmd
    }

    /// `escrow build DELIVERY -m MANIFEST --format json --log LOG ARGS…`
    fn build(&self, args: &[&str]) -> Run {
        self.build_env(args, &[])
    }

    fn build_env(&self, args: &[&str], env: &[(&str, &OsStr)]) -> Run {
        let _shared = host_probe_lock()
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.build_alone(args, env)
    }

    /// `build_env` for a test that holds `host_probe_lock` itself.
    fn build_alone(&self, args: &[&str], env: &[(&str, &OsStr)]) -> Run {
        let mut cmd = escrow_command();
        cmd.arg("build")
            .arg(&self.delivery)
            .arg("-m")
            .arg(&self.manifest)
            .args(["--format", "json", "--log"])
            .arg(self.log())
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let r = run(cmd);
        assert_ne!(r.code, 2, "runtime error: {}", r.stderr);
        r
    }
}

/// Held for writing by a test that puts a socket folder under `/etc` or `/opt` (the sandbox
/// covers every socket it finds there when a build starts), for reading by every other build
/// of this file: a folder removed between the sandbox's look and bubblewrap's bind would fail
/// an unrelated build.
fn host_probe_lock() -> &'static std::sync::RwLock<()> {
    static LOCK: std::sync::RwLock<()> = std::sync::RwLock::new(());
    &LOCK
}

/// The JSON report parses into the library's strict structs (unknown fields rejected) and
/// serializes back to the same JSON.
fn strict_round_trip(r: &Run) {
    let report: escrow::report::Report = serde_json::from_str(&r.stdout).unwrap();
    assert!(report.build.is_some());
    assert_eq!(serde_json::to_value(&report).unwrap(), r.json());
}

fn log_text(report: &serde_json::Value) -> String {
    std::fs::read_to_string(report["build"]["log"]["path"].as_str().unwrap()).unwrap()
}

/// Every process whose command line contains `needle`.
fn processes_with(needle: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            text.contains(needle).then_some(text)
        })
        .collect()
}

/// A number no other test (or earlier run) uses in its command lines.
fn unique(n: u32) -> String {
    format!("{}{n}", std::process::id())
}

const C_PROJECT: &[(&str, &str)] = &[
    (
        "src/main.c",
        "#include <stdio.h>\nint main(void) { puts(\"挂号 ok\"); return 0; }\n",
    ),
    (
        "Makefile",
        "all: dist/hello\n\ndist/hello: src/main.c\n\tmkdir -p dist\n\tcc -O2 -o dist/hello src/main.c\n\t./dist/hello\n",
    ),
];

#[test]
fn c_project_builds_with_hashed_outputs_and_toolchain() {
    let p = Project::new(
        C_PROJECT,
        "[build]\ncommand = \"make all\"\ntimeout = \"2m\"\noutputs = [\"dist/hello\"]\ntoolchain = [\"cc --version\", \"make --version\", \"no-such-compiler --version\"]\n",
    );
    let r = p.build(&[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    strict_round_trip(&r);
    let b = &j["build"];
    assert_eq!(b["status"], "succeeded");
    assert_eq!(b["isolation"], "bwrap");
    assert_eq!(b["network"], false);
    assert_eq!(b["exit_code"], 0);
    let outputs = b["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 1, "{b}");
    assert_eq!(outputs[0]["path"], "dist/hello");
    assert!(outputs[0]["size"].as_u64().unwrap() > 1000);
    assert_eq!(outputs[0]["sha256"].as_str().unwrap().len(), 64);
    let tools = b["toolchain"].as_array().unwrap();
    assert_eq!(tools[0]["exit_code"], 0);
    assert!(
        tools[0]["output"][0].as_str().unwrap().contains("cc"),
        "{tools:?}"
    );
    assert!(
        tools[1]["output"][0]
            .as_str()
            .unwrap()
            .starts_with("GNU Make")
    );
    assert_eq!(tools[2]["exit_code"], 127, "{tools:?}");
    assert!(log_text(&j).contains("挂号 ok"));
    assert_eq!(
        b["log"]["tail"].as_array().unwrap().last().unwrap(),
        "挂号 ok"
    );
    assert!(codes(&j).is_empty(), "{j}");
    // The build ran on a copy: the delivery is as it was.
    assert!(!p.delivery.join("dist").exists());
    assert!(!Path::new(b["build_path"].as_str().unwrap()).exists());

    let human = p.raw(&[
        OsStr::new("--lang"),
        OsStr::new("zh"),
        OsStr::new("--log"),
        p.log().as_os_str(),
    ]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    for s in ["编译（隔离环境）", "成功", "dist/hello", "工具链", "日志"] {
        assert!(human.stdout.contains(s), "{s}: {}", human.stdout);
    }
}

#[test]
fn rust_crate_builds_offline() {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap());
    let cargo_home = std::env::var_os("CARGO_HOME").map_or(home.join(".cargo"), PathBuf::from);
    let rustup_home = std::env::var_os("RUSTUP_HOME").map_or(home.join(".rustup"), PathBuf::from);
    let p = Project::new(
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"his-tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
            ),
            ("src/main.rs", "fn main() { println!(\"ok\"); }\n"),
        ],
        &format!(
            "[build]\ncommand = \"cargo build --offline\"\noutputs = [\"target/debug/his-tool\"]\ntoolchain = [\"cargo --version\"]\n[build.env]\nCARGO_HOME = \"{}\"\nRUSTUP_HOME = \"{}\"\nPATH = \"{}:/usr/bin:/bin\"\n",
            cargo_home.display(),
            rustup_home.display(),
            cargo_home.join("bin").display()
        ),
    );
    let r = p.build(&[]);
    let j = r.json();
    assert_eq!(r.code, 0, "{j}\n{}", log_text(&j));
    assert_eq!(j["build"]["outputs"][0]["path"], "target/debug/his-tool");
    assert!(
        j["build"]["toolchain"][0]["output"][0]
            .as_str()
            .unwrap()
            .starts_with("cargo ")
    );
}

#[test]
fn python_project_builds() {
    let p = Project::new(
        &[
            ("app/__main__.py", "from app import core\ncore.run()\n"),
            ("app/core.py", "def run():\n    print('门诊 ok')\n"),
        ],
        "[build]\ncommand = \"mkdir -p dist && python3 -m zipapp . -o dist/his.pyz -m 'app.core:run' && python3 dist/his.pyz\"\noutputs = [\"dist/*.pyz\"]\ntoolchain = [\"python3 --version\"]\n",
    );
    let r = p.build(&[]);
    let j = r.json();
    assert_eq!(r.code, 0, "{j}\n{}", log_text(&j));
    assert_eq!(j["build"]["outputs"][0]["path"], "dist/his.pyz");
    assert!(log_text(&j).contains("门诊 ok"));
}

fn on_path(tool: &str) -> bool {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join(tool).is_file())
}

#[test]
fn downloads_are_build_network_required() {
    // Each download tool this machine has, and what it says when the network is closed.
    let tries = [
        (
            "curl",
            "curl -sS -o lib/dep.jar https://repo.maven.apache.org/maven2/dep.jar",
            "Could not resolve host",
        ),
        (
            "python3",
            "python3 -m pip install --isolated --no-cache-dir --retries 1 --timeout 2 --target vendor requests",
            "Failed to establish a new connection",
        ),
        (
            "npm",
            "npm install --no-audit --no-fund --fetch-retries=0 left-pad",
            "EAI_AGAIN",
        ),
    ];
    let present: Vec<_> = tries.iter().filter(|t| on_path(t.0)).collect();
    assert!(!present.is_empty(), "curl, python3 or npm is needed");
    let command: Vec<&str> = present.iter().map(|t| t.1).collect();
    let p = Project::new(
        &[(
            "package.json",
            "{\"name\": \"x\", \"version\": \"1.0.0\"}\n",
        )],
        &format!(
            "[build]\ncommand = \"{}\"\ntimeout = \"60s\"\n",
            command.join("; ")
        ),
    );
    let r = p.build(&[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let j = r.json();
    assert_eq!(codes(&j), ["build-failed", "build-network-required"]);
    let net = with_code(&j, "build-network-required");
    assert_eq!(net[0]["severity"], "deny");
    let all = net[0]["evidence"].to_string();
    for (tool, _, said) in present {
        assert!(all.contains(said), "{tool}: {said} not in {all}");
    }
}

#[test]
fn a_failing_build_is_build_failed_with_the_log_tail() {
    let p = Project::new(
        &[(
            "src/main.c",
            "int main(void) { return missing_symbol(); }\n",
        )],
        "[build]\ncommand = \"cc -Werror -o app src/main.c\"\n",
    );
    let r = p.build(&[]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(codes(&j), ["build-failed"]);
    let f = with_code(&j, "build-failed")[0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("exited with status 1")
    );
    assert!(f["evidence"].to_string().contains("missing_symbol"), "{f}");
    assert_eq!(j["build"]["status"], "failed");
    assert_eq!(j["build"]["exit_code"], 1);
}

/// A build that sleeps past its timeout and leaves processes behind (one in a new session, as a
/// daemon would), in each sandbox: stopped within moments of the limit, nothing left running.
fn timeout_stops_everything(args: &[&str], n: u32) {
    let id = unique(n);
    let p = Project::new(
        &[("run.sh", "")],
        &format!(
            "[build]\ncommand = \"setsid sleep 3{id} & (setsid sleep 4{id} &) ; echo started; sleep 5{id}\"\ntimeout = \"2s\"\n"
        ),
    );
    let started = Instant::now();
    let r = p.build(args);
    let took = started.elapsed();
    assert_eq!(r.code, 1, "{}", r.stdout);
    let j = r.json();
    assert!(codes(&j).contains(&"build-timeout".to_owned()), "{j}");
    assert_eq!(j["build"]["status"], "timed-out");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_millis(4500),
        "took {took:?}"
    );
    assert!(log_text(&j).contains("started"));
    for marker in [format!("3{id}"), format!("4{id}"), format!("5{id}")] {
        assert_eq!(processes_with(&marker), Vec::<String>::new(), "left behind");
    }
}

#[test]
fn timeout_stops_every_process_in_bwrap() {
    timeout_stops_everything(&[], 1);
}

#[test]
fn timeout_stops_every_process_in_unshare() {
    timeout_stops_everything(&["--sandbox", "unshare"], 2);
}

#[test]
fn timeout_stops_every_process_without_sandbox() {
    timeout_stops_everything(&["--no-sandbox"], 3);
}

#[test]
fn writes_outside_the_copy_change_nothing_on_the_host() {
    use std::os::unix::fs::PermissionsExt;
    let id = unique(4);
    let p = Project::new(&[("src/a.txt", "original\n")], "");
    // World-writable, so that only the sandbox stops the build user writing there.
    let home = p.tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    for d in [&home, &p.delivery, &p.delivery.join("src")] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    std::fs::set_permissions(p.tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let host_tmp = std::env::temp_dir().join(format!("escrow-escape-{id}"));
    let d = p.delivery.display();
    std::fs::write(
        &p.manifest,
        format!(
            "schema-version = 1\n[build]\ncommand = '''\necho changed > src/a.txt\necho x > {d}/planted; echo changed > {d}/src/a.txt; rm -f {d}/src/a.txt\necho x > {}\necho x > \"$HOME/planted\"; echo \"home=$HOME\"\necho \"user=$(whoami) $(getent passwd $(id -u) | cut -d: -f6)\"\nmkdir -p out && echo built > out/result.txt\n'''\noutputs = [\"out/result.txt\"]\n",
            host_tmp.display()
        ),
    )
    .unwrap();
    let r = p.build_env(&[], &[("HOME", home.as_os_str())]);
    let j = r.json();
    assert_eq!(r.code, 0, "{j}");
    let log = log_text(&j);
    assert!(log.contains(&format!("home={}", home.display())), "{log}");
    // Run by root, the build runs as a user of its own, whose account has the private home.
    if std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0) {
        assert!(
            log.contains(&format!("user=escrow-build {}", home.display())),
            "{log}"
        );
    }
    // The copy was writable …
    assert_eq!(j["build"]["outputs"][0]["path"], "out/result.txt");
    // … and nothing else changed.
    assert_eq!(
        std::fs::read_to_string(p.delivery.join("src/a.txt")).unwrap(),
        "original\n"
    );
    assert!(!p.delivery.join("planted").exists());
    assert!(!host_tmp.exists());
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 0);
}

#[test]
fn a_fork_heavy_build_is_contained_by_the_process_limit() {
    let p = Project::new(
        &[(
            "fork.py",
            "import os, time\nn = 0\nfor i in range(300):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n    if pid == 0:\n        time.sleep(20)\n        os._exit(0)\n    n += 1\nprint('forked', n)\n",
        )],
        "[build]\ncommand = \"python3 fork.py\"\nmax-processes = 40\ntimeout = \"60s\"\n",
    );
    let started = Instant::now();
    let r = p.build(&[]);
    let j = r.json();
    assert_eq!(r.code, 0, "{j}");
    let log = log_text(&j);
    let forked: u32 = log
        .lines()
        .find_map(|l| l.strip_prefix("forked "))
        .unwrap_or_else(|| panic!("{log}"))
        .trim()
        .parse()
        .unwrap();
    assert!((1..40).contains(&forked), "forked {forked}");
    assert_eq!(j["build"]["max_processes"], 40);
    // Its sleeping children went with the sandbox.
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn the_memory_limit_stops_a_greedy_build() {
    let p = Project::new(
        &[(
            "eat.py",
            "b = bytearray(512 * 1024 * 1024)\nprint('ate', len(b))\n",
        )],
        "[build]\ncommand = \"python3 eat.py\"\nmax-memory = \"128MiB\"\n",
    );
    let r = p.build(&[]);
    let j = r.json();
    assert_eq!(r.code, 1, "{j}");
    assert_eq!(codes(&j), ["build-failed"]);
    assert!(log_text(&j).contains("MemoryError"), "{}", log_text(&j));
}

#[test]
fn declared_outputs_must_exist() {
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"mkdir -p dist && echo x > dist/app.war\"\noutputs = [\"dist/*.jar\", \"dist/*.war\"]\n",
    );
    let r = p.build(&[]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(codes(&j), ["build-output-missing"]);
    assert_eq!(
        with_code(&j, "build-output-missing")[0]["path"],
        "dist/*.jar"
    );
    assert_eq!(j["build"]["outputs"][0]["path"], "dist/app.war");
}

#[test]
fn a_missing_workdir_is_build_failed() {
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"true\"\nworkdir = \"backend\"\n",
    );
    let r = p.build(&[]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(codes(&j), ["build-failed"]);
    assert!(
        with_code(&j, "build-failed")[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"backend\" is not a folder")
    );
}

#[test]
fn reproducible_builds_compare_outputs() {
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"mkdir -p dist && date +%s%N > dist/stamp.txt && echo \\\"$SOURCE_DATE_EPOCH\\\" > dist/epoch.txt\"\noutputs = [\"dist/*\"]\n",
    );
    let r = p.build(&["--reproducible"]);
    assert_eq!(r.code, 0, "warnings only: {}", r.stdout);
    let j = r.json();
    strict_round_trip(&r);
    assert_eq!(codes(&j), ["build-not-reproducible"]);
    let f = with_code(&j, "build-not-reproducible")[0];
    assert_eq!(f["severity"], "warn");
    assert_eq!(f["path"], "dist/stamp.txt");
    let b = &j["build"];
    assert_eq!(b["source_date_epoch"], 315_532_800);
    let again = &b["reproducible"];
    assert_eq!(again["differing"], serde_json::json!(["dist/stamp.txt"]));
    assert_ne!(again["build_path"], b["build_path"]);
    assert_eq!(again["status"], "succeeded");

    // Deterministic outputs: no finding.
    std::fs::write(
        &p.manifest,
        "schema-version = 1\n[build]\ncommand = \"mkdir -p dist && echo \\\"$SOURCE_DATE_EPOCH\\\" > dist/epoch.txt\"\noutputs = [\"dist/*\"]\n",
    )
    .unwrap();
    let r = p.build(&["--reproducible"]);
    let j = r.json();
    assert_eq!(r.code, 0);
    assert!(codes(&j).is_empty(), "{j}");
    assert_eq!(
        j["build"]["reproducible"]["differing"],
        serde_json::json!([])
    );
}

#[test]
fn the_landlock_fallback_is_reported_and_keeps_the_network_closed() {
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"curl -sS http://example.com/dep.tgz -o dep.tgz\"\n",
    );
    // bubblewrap "missing": auto falls back to Landlock and says why.
    let r = p.build_env(&[], &[("ESCROW_BWRAP", OsStr::new("/nonexistent/bwrap"))]);
    let j = r.json();
    assert_eq!(j["build"]["isolation"], "landlock");
    let detail = j["build"]["isolation_detail"].as_str().unwrap();
    assert!(detail.contains("bubblewrap is unusable"), "{detail}");
    assert!(
        j["build"]["fallback_reason"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/bwrap"),
        "{j}"
    );
    assert_eq!(
        codes(&j),
        [
            "build-failed",
            "build-network-required",
            "build-sandbox-weak"
        ]
    );
    // Forced, it builds too.
    let p = Project::new(
        C_PROJECT,
        "[build]\ncommand = \"make\"\noutputs = [\"dist/hello\"]\n",
    );
    let r = p.build(&["--sandbox", "unshare"]);
    let j = r.json();
    assert_eq!(r.code, 0, "{j}");
    assert_eq!(j["build"]["isolation"], "landlock");
    assert_eq!(codes(&j), ["build-sandbox-weak"]);
    // A forced bubblewrap that cannot run is an error naming what to do.
    let r = escrow_with_env(&p, &["--sandbox", "bwrap"], "/nonexistent/bwrap");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("apt-get install bubblewrap"),
        "{}",
        r.stderr
    );
}

fn escrow_with_env(p: &Project, args: &[&str], bwrap: &str) -> Run {
    let mut cmd = escrow_command();
    cmd.arg("build")
        .arg(&p.delivery)
        .arg("-m")
        .arg(&p.manifest)
        .args(args)
        .arg("--log")
        .arg(p.log())
        .env("ESCROW_BWRAP", bwrap);
    run(cmd)
}

#[test]
fn no_sandbox_is_reported_and_network_true_too() {
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"echo built > out.txt\"\nnetwork = true\noutputs = [\"out.txt\"]\n",
    );
    let r = p.build(&["--no-sandbox"]);
    let j = r.json();
    assert_eq!(r.code, 0, "{j}");
    assert_eq!(j["build"]["isolation"], "none");
    assert_eq!(j["build"]["network"], true);
    assert_eq!(codes(&j), ["build-network-allowed", "build-sandbox-weak"]);
    assert!(!p.delivery.join("out.txt").exists());
}

#[test]
fn build_flags_without_a_build_table_are_usage_errors() {
    let p = Project::new(
        &[("a/x.java", "class X {}")],
        "[[module]]\nid = \"a\"\nname = \"A\"\npaths = [\"a/**\"]\n",
    );
    for args in [
        vec!["check", "--build"],
        vec!["build"],
        vec!["deposit", "--build", "--label", "v1", "--vault", "vault"],
    ] {
        let mut cmd = escrow_command();
        cmd.arg(args[0])
            .arg(&p.delivery)
            .arg("-m")
            .arg(&p.manifest)
            .args(&args[1..])
            .current_dir(p.tmp.path());
        let r = run(cmd);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert!(r.stderr.contains("no [build] table"), "{}", r.stderr);
        assert!(r.stderr.contains("manifest.toml"), "{}", r.stderr);
    }
    // Nothing was deposited.
    let snapshots = p.tmp.path().join("vault").join("snapshots");
    assert!(!snapshots.exists() || std::fs::read_dir(&snapshots).unwrap().count() == 0);
    let r = escrow([
        "check".as_ref(),
        p.delivery.as_os_str(),
        "-m".as_ref(),
        p.manifest.as_os_str(),
        "--reproducible".as_ref(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("add --build"), "{}", r.stderr);
}

#[test]
fn check_build_adds_the_build_to_the_check() {
    let p = Project::new(
        &[("a/x.java", "class X {}")],
        "[[module]]\nid = \"a\"\nname = \"A\"\npaths = [\"a/**\"]\n[build]\ncommand = \"exit 3\"\n",
    );
    let r = crate::common::check_json(&p.delivery, &p.manifest);
    assert_eq!(r.code, 0);
    assert!(r.json().get("build").is_none());
    let r = escrow([
        "check".as_ref(),
        p.delivery.as_os_str(),
        "-m".as_ref(),
        p.manifest.as_os_str(),
        "--build".as_ref(),
        "--log".as_ref(),
        p.log().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(codes(&j), ["build-failed"]);
    assert_eq!(j["build"]["exit_code"], 3);
    assert_eq!(j["requirements"][0]["status"], "met");
}

#[test]
fn deposit_build_keeps_the_log_and_audit_verifies_it() {
    let p = Project::new(
        C_PROJECT,
        "[build]\ncommand = \"make\"\noutputs = [\"dist/hello\"]\n",
    );
    let vault = p.tmp.path().join("vault");
    let r = run(p.deposit_build(&vault, &["--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["report"]["build"]["status"], "succeeded");
    let vault_args = |args: &[&str]| {
        let mut cmd = escrow_command();
        cmd.args(args).arg("--vault").arg(&vault);
        run(cmd)
    };
    let log = vault_args(&["show", "v1", "--build-log"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    assert!(
        log.stdout.contains("cc -O2 -o dist/hello"),
        "{}",
        log.stdout
    );
    let show = vault_args(&["show", "v1"]);
    assert!(
        show.stdout
            .contains("build        succeeded with bwrap isolation"),
        "{}",
        show.stdout
    );
    assert!(show.stdout.contains("Build (isolated)"), "{}", show.stdout);
    let shown = vault_args(&["show", "v1", "--format", "json"]).json();
    let log_sha = shown["record"]["build_log"]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let audit = vault_args(&["audit", "--format", "json"]);
    assert_eq!(audit.code, 0, "{}", audit.stdout);

    // Lose the pack holding the log: audit names it.
    let packs = vault.join("packs");
    let idx = std::fs::read_dir(&packs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension() == Some(OsStr::new("idx"))
                && std::fs::read_to_string(p).unwrap().contains(&log_sha)
        })
        .unwrap();
    std::fs::remove_file(idx.with_extension("pack")).unwrap();
    let audit = vault_args(&["audit"]);
    assert_eq!(audit.code, 1);
    assert!(audit.stdout.contains("(build log)"), "{}", audit.stdout);
}

#[test]
fn build_table_mistakes_are_reported_with_positions() {
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"\"\nworkdir = \"../up\"\ntimeout = \"soon\"\noutputs = [\"/abs\"]\nmax-memory = \"lots\"\n[build.env]\n\"BAD-NAME\" = \"x\"\n",
    );
    let r = p.raw(&[]);
    assert_eq!(r.code, 2);
    let m = p.manifest.display().to_string();
    for (line, what) in [
        (3, "command is empty"),
        (4, "workdir"),
        (5, "timeout \"soon\""),
        (6, "\"/abs\""),
        (7, "max-memory"),
        (9, "BAD-NAME"),
    ] {
        assert!(
            r.stderr.contains(&format!("{m}:{line}:")) && r.stderr.contains(what),
            "line {line} {what}: {}",
            r.stderr
        );
    }
    std::fs::write(
        &p.manifest,
        "schema-version = 1\n[build]\ncommand = \"make\"\ncolour = \"red\"\n[[module]]\nid = \"a\"\nname = \"\"\npaths = [\"a/**\"]\n",
    )
    .unwrap();
    let r = p.raw(&[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(&format!("{m}:4:")), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{m}:7:")), "{}", r.stderr);
}

#[test]
fn the_template_build_table_loads() {
    let template =
        std::fs::read_to_string(crate::common::repo().join("manifests/template.toml")).unwrap();
    let start = template
        .find("# [build]")
        .expect("a commented [build] table");
    let mut text = template[..start].to_owned();
    for line in template[start..].lines() {
        match line.strip_prefix("# ") {
            Some(l)
                if line.starts_with("# [")
                    || l.starts_with(|c: char| {
                        c.is_ascii_lowercase() || c.is_ascii_uppercase()
                    }) && l.contains(" = ") =>
            {
                text.push_str(l);
            }
            _ => text.push_str(line),
        }
        text.push('\n');
    }
    let m = escrow::manifest::parse(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let b = m.build.expect("[build] read");
    assert_eq!(b.command, "make all");
    assert_eq!(b.timeout, Duration::from_secs(30 * 60));
    assert!(!b.network);
    assert!(!b.outputs.is_empty() && !b.toolchain.is_empty() && !b.env.is_empty());
}

#[test]
fn a_sandbox_that_cannot_start_is_a_runtime_error_not_a_failed_build() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new(&[("a.txt", "x")], "[build]\ncommand = \"true\"\n");
    // A bubblewrap that passes the start-up probe but cannot set up the real sandbox.
    let fake = p.tmp.path().join("bwrap");
    std::fs::write(
        &fake,
        "#!/bin/sh\ncase \"$*\" in *--chdir*) echo \"bwrap: Can't mount proc on /newroot/proc: Operation not permitted\" >&2; exit 1;; esac\nexec bwrap \"$@\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = escrow_with_env(&p, &[], fake.to_str().unwrap());
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("the sandbox could not start"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Can't mount proc"), "{}", r.stderr);
}

#[test]
fn without_any_sandbox_the_build_is_refused_unless_no_sandbox() {
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"echo ran > ran.txt\"\n",
    );
    // A PATH with the helpers but without `unshare`, and a bubblewrap that does not exist.
    let bin = p.tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    for tool in ["prlimit", "setpriv", "kill", "chmod", "rm", "sh", "echo"] {
        if let Some(dir) = std::env::split_paths(&std::env::var_os("PATH").unwrap())
            .find(|d| d.join(tool).is_file())
        {
            std::os::unix::fs::symlink(dir.join(tool), bin.join(tool)).unwrap();
        }
    }
    let attempt = |extra: &[&str]| {
        let mut cmd = escrow_command();
        cmd.arg("build")
            .arg(&p.delivery)
            .arg("-m")
            .arg(&p.manifest)
            .args(["--format", "json"])
            .arg("--log")
            .arg(p.log())
            .args(extra)
            .env("PATH", &bin)
            .env("ESCROW_BWRAP", "/nonexistent/bwrap");
        run(cmd)
    };
    let r = attempt(&[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("no sandbox works"), "{}", r.stderr);
    assert!(r.stderr.contains("dnf install bubblewrap"), "{}", r.stderr);
    assert!(r.stderr.contains("--no-sandbox"), "{}", r.stderr);
    assert!(
        r.stderr.contains("apt-get install bubblewrap"),
        "{}",
        r.stderr
    );
    let r = attempt(&["--no-sandbox"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["build"]["isolation"], "none");
}

#[test]
fn an_archive_delivery_is_built_from_its_unpacked_tree() {
    let p = Project::new(
        C_PROJECT,
        "[build]\ncommand = \"make\"\noutputs = [\"dist/hello\"]\n",
    );
    let archive = p.tmp.path().join("his-v2.3.tar.gz");
    let status = std::process::Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(p.tmp.path())
        .arg("delivery")
        .status()
        .unwrap();
    assert!(status.success());
    let mut cmd = escrow_command();
    cmd.arg("build")
        .arg(&archive)
        .arg("-m")
        .arg(&p.manifest)
        .args(["--format", "json", "--log"])
        .arg(p.log());
    let r = run(cmd);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    assert_eq!(j["delivery"]["source"]["kind"], "archive");
    assert_eq!(j["build"]["outputs"][0]["path"], "dist/hello");
}

/// A delivered program named like one escrow starts as root (`setpriv`, `prlimit`, `env`,
/// `unshare`), with the manifest's PATH pointing at it: it must never run, in any sandbox.
fn delivered_launchers_never_run(args: &[&str], n: u32) {
    let marker = std::env::temp_dir().join(format!("escrow-escape-{}", unique(n)));
    let script = format!(
        "#!/bin/sh\ntouch {}\nexec /usr/bin/$(basename \"$0\") \"$@\"\n",
        marker.display()
    );
    let files: Vec<(&str, &str)> = ["setpriv", "prlimit", "env", "unshare", "sh"]
        .iter()
        .map(|t| {
            (
                Box::leak(format!("tools/{t}").into_boxed_str()) as &str,
                script.as_str(),
            )
        })
        .collect();
    let p = Project::new(
        &files,
        "[build]\ncommand = \"true\"\nenv = { PATH = \"tools:/usr/bin:/bin\", LD_LIBRARY_PATH = \"tools\" }\n",
    );
    for t in ["setpriv", "prlimit", "env", "unshare", "sh"] {
        let f = p.delivery.join("tools").join(t);
        std::fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let r = p.build(args);
    assert_eq!(r.json()["build"]["status"], "succeeded", "{}", r.stdout);
    assert!(
        !marker.exists(),
        "a delivered launcher ran: {}",
        marker.display()
    );
}

#[test]
fn delivered_launchers_never_run_in_bwrap() {
    delivered_launchers_never_run(&["--sandbox", "bwrap"], 1);
}

#[test]
fn delivered_launchers_never_run_in_unshare() {
    delivered_launchers_never_run(&["--sandbox", "unshare"], 2);
}

#[test]
fn delivered_launchers_never_run_without_sandbox() {
    delivered_launchers_never_run(&["--no-sandbox"], 3);
}

#[test]
fn host_service_sockets_under_run_are_hidden() {
    let probe = PathBuf::from("/run").join(format!("escrow-probe-{}", unique(4)));
    if std::fs::write(&probe, "x").is_err() {
        return; // not root: /run is not writable, nothing to show
    }
    let p = Project::new(
        &[("a.txt", "x")],
        &format!("[build]\ncommand = \"test ! -e {}\"\n", probe.display()),
    );
    let r = p.build(&["--sandbox", "bwrap"]);
    let _ = std::fs::remove_file(&probe);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn outputs_that_came_with_the_delivery_are_not_build_outputs() {
    let p = Project::new(
        &[
            ("dist/app.jar", "prebuilt by the vendor"),
            ("prebuilt/core.jar", "also prebuilt"),
            ("src/A.java", "class A {}"),
        ],
        "[build]\ncommand = \"mkdir -p dist && echo built > dist/new.jar && cp prebuilt/core.jar dist/ && touch /dev/shm/lock\"\noutputs = [\"dist/*.jar\"]\n",
    );
    let r = p.build(&[]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(
        j["build"]["status"], "succeeded",
        "shared memory is usable: {j}"
    );
    let f = with_code(&j, "build-output-missing");
    let paths: Vec<&str> = f.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["dist/app.jar", "dist/core.jar"], "{j}");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("came with the delivery")
    );
}

#[test]
fn network_findings_need_network_messages() {
    // glibc's warning about getaddrinfo in a static link is not a download.
    let p = Project::new(
        &[],
        "[build]\ncommand = \"echo \\\"warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries\\\"; echo 'error: expected ;'; exit 1\"\n",
    );
    let j = p.build(&[]).json();
    assert_eq!(codes(&j), ["build-failed"], "{j}");
    // cargo --offline and mvn -o without the dependencies delivered are.
    for line in [
        "error: no matching package named `serde` found … As a reminder, you're using offline mode (--offline)",
        "[ERROR] Cannot access central (https://repo.maven.apache.org/maven2) in offline mode and the artifact junit:junit:jar:4.13 has not been downloaded from it before.",
    ] {
        let p = Project::new(
            &[],
            &format!(
                "[build]\ncommand = \"echo '{}'; exit 1\"\n",
                line.replace('\'', "")
            ),
        );
        let j = p.build(&[]).json();
        assert_eq!(codes(&j), ["build-failed", "build-network-required"], "{j}");
    }
}

#[test]
fn log_and_timeout_mistakes_are_usage_errors() {
    let p = Project::new(&[("a.txt", "x")], "[build]\ncommand = \"true\"\n");
    let keep = p.tmp.path().join("keep.txt");
    std::fs::write(&keep, "precious").unwrap();
    let r = p.raw(&[OsStr::new("--log"), keep.as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "precious");
    let missing = p.tmp.path().join("no/such/dir/build.log");
    let r = p.raw(&[OsStr::new("--log"), missing.as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("the folder for --log does not exist"),
        "{}",
        r.stderr
    );
    std::fs::write(
        &p.manifest,
        "schema-version = 1\n[build]\ncommand = \"true\"\ntimeout = \"200000000000000d\"\n",
    )
    .unwrap();
    let r = p.raw(&[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    std::fs::write(
        &p.manifest,
        "schema-version = 1\n[build]\ncommand = \"true\"\ntimeout = \"30d\"\n",
    )
    .unwrap();
    let r = p.raw(&[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("longer than the limit of 7 days"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_daemon_that_drops_the_marker_is_swept_by_its_user() {
    if !matches!(std::fs::read_to_string("/proc/self/status"), Ok(s) if s.contains("Uid:\t0\t")) {
        return; // only root builds run as a user of their own
    }
    // A number of seconds no other test uses: this process's id.
    let needle = format!("sleep 7{}", std::process::id());
    let p = Project::new(
        &[("a.txt", "x")],
        &format!(
            "[build]\ncommand = \"env -i setsid {needle} </dev/null >/dev/null 2>&1 & sleep 0.3\"\n"
        ),
    );
    let r = p.build(&["--no-sandbox"]);
    assert_eq!(r.json()["build"]["status"], "succeeded", "{}", r.stdout);
    std::thread::sleep(Duration::from_millis(300));
    assert!(processes_with(&needle).is_empty(), "{needle} left running");
}

#[test]
fn a_link_planted_at_the_second_log_is_not_followed() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"L=$(readlink /proc/self/fd/2); [ -e \\\"$L.2\\\" ] || ln -s \\\"$VICTIM\\\" \\\"$L.2\\\"; echo owned\"\n",
    );
    // Logs in a world-writable folder, as the default $TMPDIR is; a root-only file to protect.
    let logs = p.tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::set_permissions(p.tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let victim = p.tmp.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
    let text = std::fs::read_to_string(&p.manifest).unwrap();
    std::fs::write(
        &p.manifest,
        text.replace("$VICTIM", victim.to_str().unwrap()),
    )
    .unwrap();
    for sandbox in ["--sandbox=unshare", "--no-sandbox"] {
        let log = logs.join(format!("build{}.log", sandbox.len()));
        let r = p.raw(&[
            OsStr::new(sandbox),
            OsStr::new("--reproducible"),
            OsStr::new("--log"),
            log.as_os_str(),
        ]);
        assert_ne!(r.code, 2, "{}", r.stderr);
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "precious",
            "{sandbox}"
        );
    }
}

#[test]
fn ctrl_c_term_and_hup_stop_the_build_and_remove_its_copy() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let needle = format!("sleep 8{}", std::process::id());
    let p = Project::new(
        &[("a.txt", "x")],
        &format!("[build]\ncommand = \"{needle}\"\n"),
    );
    let tmpdir = p.tmp.path().join("tmp");
    std::fs::create_dir(&tmpdir).unwrap();
    std::fs::set_permissions(&tmpdir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::set_permissions(p.tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // Ctrl-C in a terminal sends SIGINT to the whole process group; a service manager stopping
    // escrow sends SIGTERM, a dropped SSH session SIGHUP, to escrow alone.
    let runs = [
        ("--sandbox=bwrap", "-INT", true),
        ("--sandbox=unshare", "-INT", true),
        ("--no-sandbox", "-INT", true),
        ("--sandbox=unshare", "-TERM", false),
        ("--no-sandbox", "-HUP", false),
    ];
    for (sandbox, signal, group) in runs {
        let mut cmd = escrow_command();
        cmd.arg("build")
            .arg(&p.delivery)
            .arg("-m")
            .arg(&p.manifest)
            .arg(sandbox)
            .env("TMPDIR", &tmpdir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0);
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        let target = if group {
            format!("-{}", child.id())
        } else {
            child.id().to_string()
        };
        let st = std::process::Command::new("kill")
            .args([signal, "--", &target])
            .status()
            .unwrap();
        assert!(st.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{sandbox} {signal}");
        let left: Vec<_> = std::fs::read_dir(&tmpdir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .filter(|n| !n.to_string_lossy().ends_with(".log"))
            .collect();
        assert!(left.is_empty(), "{sandbox} {signal}: left behind {left:?}");
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            processes_with(&needle).is_empty(),
            "{sandbox} {signal}: {needle} still running"
        );
    }
}

/// Say why a test did not run (on the test's standard error).
fn skip(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

fn is_root() -> bool {
    matches!(std::fs::read_to_string("/proc/self/status"), Ok(s) if s.contains("Uid:\t0\t"))
}

/// `escrow build` of `p` run by `bash -c 'PREFIX; exec escrow …'`, with escrow's test
/// environment; `args` follow the build's own.
fn build_via_bash(p: &Project, prefix: &str, bash_args: &[&OsStr], args: &[&str]) -> Run {
    build_via_bash_with(p, escrow_command().get_program(), prefix, bash_args, args)
}

/// `build_via_bash` running the escrow program at `program`.
fn build_via_bash_with(
    p: &Project,
    program: &OsStr,
    prefix: &str,
    bash_args: &[&OsStr],
    args: &[&str],
) -> Run {
    let base = escrow_command();
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-c")
        .arg(format!("{prefix}; exec \"$@\""))
        .arg("bash")
        .args(bash_args)
        .arg(program)
        .arg("build")
        .arg(&p.delivery)
        .arg("-m")
        .arg(&p.manifest)
        .args(["--format", "json", "--log"])
        .arg(p.log())
        .args(args);
    for (k, v) in base.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    run(cmd)
}

/// Descriptors 7 (reading a private file) and 8 (appending to a host file) left open by the
/// caller: the build sees neither.
fn inherited_descriptors_never_reach_the_build(args: &[&str]) {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"(cat <&7) 2>/dev/null && echo READ-7; (echo LEAKED >&8) 2>/dev/null && echo WROTE-8; ls -l /proc/self/fd; true\"\n",
    );
    let secret = p.tmp.path().join("secret");
    std::fs::write(&secret, "TOP-SECRET-7\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let host = p.tmp.path().join("host.txt");
    std::fs::write(&host, "").unwrap();
    let r = build_via_bash(
        &p,
        "exec 7<\"$1\" 8>>\"$2\"; shift 2",
        &[secret.as_os_str(), host.as_os_str()],
        args,
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let log = std::fs::read_to_string(p.log()).unwrap();
    assert!(
        !log.contains("TOP-SECRET") && !log.contains("READ-7"),
        "{log}"
    );
    assert!(!log.contains("WROTE-8"), "{log}");
    assert_eq!(std::fs::read_to_string(&host).unwrap(), "", "{log}");
}

#[test]
fn inherited_descriptors_never_reach_the_build_in_bwrap() {
    inherited_descriptors_never_reach_the_build(&["--sandbox", "bwrap"]);
}

#[test]
fn inherited_descriptors_never_reach_the_build_in_landlock() {
    inherited_descriptors_never_reach_the_build(&["--sandbox", "unshare"]);
}

#[test]
fn inherited_descriptors_never_reach_the_build_without_sandbox() {
    inherited_descriptors_never_reach_the_build(&["--no-sandbox"]);
}

#[test]
fn host_unix_sockets_are_unreachable_in_bwrap() {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::{SocketAddr, UnixListener};
    if !is_root() {
        skip("needs root to listen under /var/lib, /home and /srv");
        return;
    }
    let id = unique(11);
    let mut listeners = Vec::new();
    let mut paths = Vec::new();
    for dir in ["/var/lib", "/home", "/srv"] {
        let _ = std::fs::create_dir_all(dir);
        let path = PathBuf::from(dir).join(format!("escrow-probe-{id}.sock"));
        let _ = std::fs::remove_file(&path);
        let l = UnixListener::bind(&path).unwrap();
        // Anyone may connect (the build runs as a user of its own).
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
        l.set_nonblocking(true).unwrap();
        listeners.push(l);
        paths.push(path);
    }
    let name = format!("escrow-probe-{id}");
    let abs =
        UnixListener::bind_addr(&SocketAddr::from_abstract_name(name.as_bytes()).unwrap()).unwrap();
    abs.set_nonblocking(true).unwrap();
    listeners.push(abs);
    let script = format!(
        "import socket\nfor a in {:?} + ['\\0{name}']:\n    s = socket.socket(socket.AF_UNIX)\n    try:\n        s.connect(a)\n        print('CONNECTED', repr(a))\n    except OSError as e:\n        print('refused', repr(a), e)\n",
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    );
    let p = Project::new(
        &[("probe.py", script.as_str())],
        "[build]\ncommand = \"/usr/bin/python3 probe.py\"\n",
    );
    let r = p.build(&["--sandbox", "bwrap"]);
    for path in &paths {
        let _ = std::fs::remove_file(path);
    }
    let log = std::fs::read_to_string(p.log()).unwrap();
    assert_eq!(r.code, 0, "{}\n{}\n{log}", r.stdout, r.stderr);
    assert_eq!(
        log.lines().filter(|l| l.starts_with("refused")).count(),
        4,
        "{log}"
    );
    assert!(!log.contains("CONNECTED"), "{log}");
    for l in &listeners {
        assert!(
            l.accept().is_err(),
            "a host socket accepted the build: {log}"
        );
    }
}

/// Whether this machine can run the Landlock fallback (Landlock in the kernel, `unshare`).
fn landlock_works() -> bool {
    let p = Project::new(&[("a.txt", "x")], "[build]\ncommand = \"true\"\n");
    // `unshare`: the earlier name of the fallback, still accepted.
    let r = p.raw(&[
        OsStr::new("--sandbox"),
        OsStr::new("unshare"),
        OsStr::new("-q"),
    ]);
    if r.code == 2 {
        skip(&format!(
            "the Landlock fallback does not work here: {}",
            r.stderr
        ));
        return false;
    }
    true
}

#[test]
fn the_landlock_fallback_keeps_host_files_read_only() {
    use std::os::unix::fs::PermissionsExt;
    if !landlock_works() {
        return;
    }
    let p = Project::new(&[("a.txt", "x")], "[build]\ncommand = \"true\"\n");
    // A host folder and file that the build user could write if nothing stopped it.
    let open = p.tmp.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let file = open.join("victim.txt");
    std::fs::write(&file, "host\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::set_permissions(p.tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        &p.manifest,
        format!(
            "schema-version = 1\n[build]\ncommand = \"echo pwned >> {0}/victim.txt; touch {0}/planted; echo built > out.txt; mkdir -p \\\"$TMPDIR/t\\\"\"\noutputs = [\"out.txt\"]\n",
            open.display()
        ),
    )
    .unwrap();
    // The fallback by its earlier name, as a machine without bubblewrap gets it.
    let r = p.build(&["--sandbox", "unshare"]);
    let log = std::fs::read_to_string(p.log()).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "host\n", "{log}");
    assert!(!open.join("planted").exists(), "{log}");
    assert_eq!(r.code, 0, "{}\n{log}", r.stdout);
    assert_eq!(r.json()["build"]["isolation"], "landlock");
    let r = p.build(&["--sandbox", "landlock"]);
    let log = std::fs::read_to_string(p.log()).unwrap();
    assert_eq!(r.code, 0, "{}\n{log}", r.stdout);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "host\n", "{log}");
    assert!(!open.join("planted").exists(), "{log}");
}

/// Run under `script` so that escrow has a real terminal: the build has none (no `TIOCSTI`).
fn the_build_has_no_terminal(args: &str) {
    if !on_path("script") {
        skip("`script` (util-linux) is not installed");
        return;
    }
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"if test -t 0 || test -t 1 || (: </dev/tty) 2>/dev/null; then echo HAS-TTY; else echo NO-TTY; fi\"\n",
    );
    let base = escrow_command();
    let line = format!(
        "{} build {} -m {} --log {} -q {args}",
        base.get_program().to_string_lossy(),
        p.delivery.display(),
        p.manifest.display(),
        p.log().display()
    );
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"]);
    for (k, v) in base.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    let r = run(cmd);
    let log = std::fs::read_to_string(p.log()).unwrap_or_default();
    assert!(
        log.contains("NO-TTY"),
        "{args}: {log}\n{}\n{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn the_build_has_no_terminal_in_any_mode() {
    the_build_has_no_terminal("--sandbox bwrap");
    if landlock_works() {
        the_build_has_no_terminal("--sandbox unshare");
    }
    the_build_has_no_terminal("--no-sandbox");
}

#[test]
fn a_build_printing_a_sandbox_error_is_a_failed_build() {
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"echo \\\"bwrap: Can't mount proc on /newroot/proc: Operation not permitted\\\" >&2; exit 1\"\n",
    );
    for args in [&["--sandbox", "bwrap"][..], &["--no-sandbox"][..]] {
        let r = p.build(args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert_eq!(codes(&r.json())[0], "build-failed");
    }
}

#[test]
fn a_huge_sparse_log_or_file_is_cut_by_the_file_size_limit() {
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"dd if=/dev/zero bs=1 count=1 seek=17179869184 conv=notrunc 2>/dev/null; dd if=/dev/zero of=big bs=1 count=1 seek=17179869184 2>/dev/null; ls -ls big >&2; true\"\nmax-file-size = \"8MiB\"\n",
    );
    let started = Instant::now();
    let r = p.build(&["--sandbox", "bwrap"]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    let len = std::fs::metadata(p.log()).unwrap().len();
    assert!(len <= 8 << 20, "the log is {len} bytes");
    // The write past the limit killed the writer (SIGXFSZ): the build did not succeed.
    assert_eq!(r.json()["build"]["status"], "failed", "{}", r.stdout);
}

#[test]
fn a_build_over_max_disk_fails_with_a_clear_finding() {
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"head -c 3000000 /dev/zero > fill.bin\"\nmax-disk = \"2MiB\"\n",
    );
    let r = p.build(&["--sandbox", "bwrap"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    let f = with_code(&j, "build-failed");
    assert!(
        f[0]["message"].as_str().unwrap().contains("max-disk"),
        "{j}"
    );
}

#[test]
fn a_daemon_of_a_non_root_build_without_sandbox_is_killed() {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() || !on_path("setpriv") {
        skip("needs root and setpriv to run escrow as `nobody`");
        return;
    }
    let needle = format!("sleep 8{}", std::process::id());
    let p = Project::new(
        &[("a.txt", "x")],
        &format!(
            "[build]\ncommand = \"(env -i setsid {needle} </dev/null >/dev/null 2>&1 &) ; sleep 0.3\"\n"
        ),
    );
    for path in walk(p.tmp.path()) {
        let mode = if path.is_dir() { 0o777 } else { 0o666 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    // A copy of escrow that `nobody` can reach: the checkout may sit in a folder only root
    // can enter, and escrow re-executes its own program as the sandbox's last step.
    let program = p.tmp.path().join("escrow");
    std::fs::copy(escrow_command().get_program(), &program).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = build_via_bash_with(
        &p,
        program.as_os_str(),
        "exec setpriv --reuid=65534 --regid=65534 --clear-groups -- \"$@\"",
        &[],
        &["--no-sandbox"],
    );
    std::thread::sleep(Duration::from_millis(300));
    let left = processes_with(&needle);
    for pid in std::fs::read_dir("/proc").unwrap().filter_map(Result::ok) {
        let cmdline = std::fs::read(pid.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline)
            .replace('\0', " ")
            .contains(&needle)
        {
            let _ = std::process::Command::new("kill")
                .arg("-KILL")
                .arg(pid.file_name())
                .status();
        }
    }
    assert_eq!(r.json()["build"]["status"], "succeeded", "{}", r.stderr);
    assert!(left.is_empty(), "{needle} left running: {left:?}");
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.to_owned()];
    if root.is_dir() {
        for e in std::fs::read_dir(root).unwrap().filter_map(Result::ok) {
            out.extend(walk(&e.path()));
        }
    }
    out
}

#[test]
fn show_build_log_streams_a_large_log() {
    if !Path::new("/usr/bin/time").is_file() {
        skip("/usr/bin/time (GNU time) is not installed");
        return;
    }
    // A 64 MiB log, printed in bounded memory.
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"head -c 67108864 /dev/zero | tr '\\\\\\\\0' 'x'\"\n",
    );
    let vault = p.tmp.path().join("vault");
    let r = run(p.deposit_build(&vault, &["--sandbox", "bwrap"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::metadata(p.log()).unwrap().len(), 64 << 20);
    let base = escrow_command();
    let mut cmd = std::process::Command::new("/usr/bin/time");
    cmd.args(["-f", "maxrss-kib=%M", "--"])
        .arg(base.get_program())
        .args(["show", "v1", "--build-log", "--vault"])
        .arg(&vault)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (k, v) in base.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let kib: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("maxrss-kib="))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        kib < 40 * 1024,
        "show --build-log used {kib} KiB for a 64 MiB log"
    );
}

#[test]
fn the_private_dev_shm_is_bounded() {
    // max-memory 64 MiB: /dev/shm holds at most that, whatever the host's tmpfs could.
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"head -c 100000000 /dev/zero > /dev/shm/fill && echo FILLED; rm -f /dev/shm/fill; true\"\nmax-memory = \"64MiB\"\n",
    );
    let r = p.build(&["--sandbox", "bwrap"]);
    let log = std::fs::read_to_string(p.log()).unwrap();
    assert_eq!(r.code, 0, "{}\n{log}", r.stdout);
    assert!(!log.contains("FILLED"), "{log}");
    assert!(log.contains("No space left"), "{log}");
}

#[test]
fn without_tmpfs_sizes_dev_shm_counts_in_max_disk() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new(
        &[("a.txt", "x")],
        "[build]\ncommand = \"head -c 50000000 /dev/zero > /dev/shm/fill\"\nmax-disk = \"32MiB\"\n",
    );
    // A bubblewrap before 0.5, without --size.
    let fake = p.tmp.path().join("bwrap");
    std::fs::write(
        &fake,
        "#!/bin/sh\ncase \" $* \" in *' --size '*) echo 'bwrap: Unknown option --size' >&2; exit 1;; esac\nexec bwrap \"$@\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = p.build_env(
        &["--sandbox", "bwrap"],
        &[("ESCROW_BWRAP", fake.as_os_str())],
    );
    let j = r.json();
    assert_eq!(j["build"]["isolation"], "bwrap");
    let f = with_code(&j, "build-failed");
    assert!(
        f.first()
            .is_some_and(|f| f["message"].as_str().unwrap().contains("max-disk")),
        "{j}"
    );
}

#[test]
fn files_deleted_while_held_open_count_in_max_disk() {
    // 300 MB written to files the build deleted but keeps open: no walk by name finds them.
    let p = Project::new(
        &[(
            "fill.sh",
            "t=${TMPDIR:-/tmp}\nfor i in 3 4 5; do\n  eval \"exec $i>$t/hidden$i\"\n  rm $t/hidden$i\n  eval \"head -c 100000000 /dev/zero >&$i\"\ndone\necho written\nsleep 30\n",
        )],
        "[build]\ncommand = \"sh fill.sh\"\nmax-disk = \"100MiB\"\ntimeout = \"60s\"\n",
    );
    for sandbox in ["bwrap", "landlock"] {
        if sandbox == "landlock" && !landlock_works() {
            continue;
        }
        let started = Instant::now();
        let r = p.build(&["--sandbox", sandbox]);
        let took = started.elapsed();
        assert_eq!(r.code, 1, "{sandbox}: {}\n{}", r.stdout, r.stderr);
        let j = r.json();
        let f = with_code(&j, "build-failed");
        assert!(
            f.first()
                .is_some_and(|f| f["message"].as_str().unwrap().contains("max-disk")),
            "{sandbox}: {j}"
        );
        assert!(
            log_text(&j).contains("file system holding its copy"),
            "{sandbox}: {}",
            log_text(&j)
        );
        assert!(
            took < Duration::from_secs(25),
            "{sandbox}: the build was not stopped early ({took:?})"
        );
    }
}

/// The run folders (`escrow-build-*`) in `dir`.
fn build_copies(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("escrow-build-"))
        })
        .collect()
}

#[test]
fn the_build_copy_is_private_while_the_build_runs() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let p = Project::new(
        &[("secret.txt", "patient data")],
        "[build]\ncommand = \"touch started; sleep 4\"\n",
    );
    let tmpdir = p.tmp.path().join("tmp");
    std::fs::create_dir(&tmpdir).unwrap();
    std::fs::set_permissions(&tmpdir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::set_permissions(p.tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut modes = vec!["bwrap", "none"];
    if landlock_works() {
        modes.push("landlock");
    }
    for sandbox in modes {
        let mut cmd = escrow_command();
        cmd.arg("build")
            .arg(&p.delivery)
            .arg("-m")
            .arg(&p.manifest)
            .arg("-q")
            .env("TMPDIR", &tmpdir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if sandbox == "none" {
            cmd.arg("--no-sandbox");
        } else {
            cmd.args(["--sandbox", sandbox]);
        }
        let mut child = cmd.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let root = loop {
            assert!(
                Instant::now() < deadline,
                "{sandbox}: the build did not start"
            );
            if let Some(r) = build_copies(&tmpdir)
                .into_iter()
                .find(|r| r.join("src/started").exists())
            {
                break r;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let meta = std::fs::symlink_metadata(&root).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(
            meta.permissions().mode() & 0o7777,
            0o700,
            "{sandbox}: {} is open to other users",
            root.display()
        );
        if is_root() {
            assert_ne!(meta.uid(), 0, "{sandbox}: not owned by the build user");
        }
        assert_eq!(status.code(), Some(0), "{sandbox}");
    }
}

#[test]
fn a_copy_left_by_a_killed_build_is_removed_by_the_next() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new(&[("a.txt", "x")], "[build]\ncommand = \"true\"\n");
    let tmpdir = p.tmp.path().join("tmp");
    std::fs::create_dir(&tmpdir).unwrap();
    std::fs::set_permissions(&tmpdir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    // A killed run's copy: its lock is free.
    let dead = tmpdir.join("escrow-build-dead01");
    std::fs::create_dir_all(dead.join("src/deep")).unwrap();
    std::fs::write(dead.join("src/deep/secret.txt"), "patient data").unwrap();
    std::fs::write(dead.join("lock"), "").unwrap();
    // As root, a copy belongs to its build user.
    let dead_user = tmpdir.join("escrow-build-dead02");
    std::fs::create_dir_all(dead_user.join("src")).unwrap();
    std::fs::write(dead_user.join("lock"), "").unwrap();
    if is_root() {
        std::os::unix::fs::lchown(&dead_user, Some(0x7000_0042), Some(0x7000_0042)).unwrap();
    }
    // A live run's copy: its lock is held.
    let live = tmpdir.join("escrow-build-live01");
    std::fs::create_dir_all(live.join("src")).unwrap();
    let lock = std::fs::File::create(live.join("lock")).unwrap();
    lock.lock().unwrap();
    let r = p.build_env(&["--sandbox", "bwrap"], &[("TMPDIR", tmpdir.as_os_str())]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(!dead.exists(), "the killed run's copy is still there");
    assert!(!dead_user.exists(), "the killed run's copy is still there");
    assert!(
        r.stderr.contains("removed") && r.stderr.contains(&*dead.to_string_lossy()),
        "no note about the removal: {}",
        r.stderr
    );
    assert!(live.exists(), "a live run's copy was removed");
    drop(lock);
}

/// Removes the probe folders even when the test fails.
struct RemoveOnDrop(Vec<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        for d in &self.0 {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

#[test]
fn host_unix_sockets_under_etc_and_opt_are_unreachable_in_bwrap() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixListener;
    if !is_root() {
        skip("needs root to listen under /etc and /opt");
        return;
    }
    let id = unique(12);
    let _alone = host_probe_lock()
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // A service's folders under /etc and /opt, and a toolchain under /opt the manifest names.
    let tool = PathBuf::from(format!("/opt/escrow-tool-{id}"));
    let dirs: Vec<PathBuf> = ["/etc", "/opt"]
        .iter()
        .map(|d| PathBuf::from(d).join(format!("escrow-probe-{id}")))
        .chain([tool.clone()])
        .collect();
    let _cleanup = RemoveOnDrop(dirs.clone());
    let mut listeners = Vec::new();
    let mut paths = Vec::new();
    for dir in &dirs {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join("app.sock");
        let l = UnixListener::bind(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
        l.set_nonblocking(true).unwrap();
        listeners.push(l);
        paths.push(path);
    }
    let script = format!(
        "import socket\nfor a in {:?}:\n    s = socket.socket(socket.AF_UNIX)\n    try:\n        s.connect(a)\n        print('CONNECTED', repr(a))\n    except OSError as e:\n        print('refused', repr(a), e)\n",
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    );
    std::fs::write(tool.join("hello.sh"), "echo tool-ok\n").unwrap();
    let p = Project::new(
        &[("probe.py", script.as_str())],
        &format!(
            "[build]\ncommand = \"sh $TOOL/hello.sh && /usr/bin/python3 probe.py\"\n[build.env]\nTOOL = \"{}\"\n",
            tool.display()
        ),
    );
    let r = p.build_alone(&["--sandbox", "bwrap"], &[]);
    let log = std::fs::read_to_string(p.log()).unwrap();
    assert_eq!(r.code, 0, "{}\n{}\n{log}", r.stdout, r.stderr);
    assert!(
        log.contains("tool-ok"),
        "the named toolchain under /opt: {log}"
    );
    assert_eq!(
        log.lines().filter(|l| l.starts_with("refused")).count(),
        3,
        "{log}"
    );
    assert!(!log.contains("CONNECTED"), "{log}");
    for l in &listeners {
        assert!(
            l.accept().is_err(),
            "a host socket accepted the build: {log}"
        );
    }
}
