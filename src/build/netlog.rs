//! What a build log says: its last lines, and the lines that show the build reaching for the
//! network (the usual reason a vendor's build works only on the vendor's machine).

use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::path::Path;

/// Lower-case needles and what they come from. A line containing any of them is evidence that
/// the build tried to reach the network.
const NEEDLES: &[&str] = &[
    // resolvers and sockets (curl, wget, git, libc, Java, .NET, Python)
    "could not resolve host",
    "couldn't resolve host",
    "temporary failure in name resolution",
    "name or service not known",
    "no address associated with hostname",
    "unable to resolve host address",
    "nodename nor servname provided",
    "unknownhostexception",
    "network is unreachable",
    "no route to host",
    "connection refused",
    "connect: cannot assign requested address",
    "failed to connect to",
    "unable to access 'http",
    "could not read from remote repository",
    // Maven and Gradle
    "could not transfer artifact",
    "could not resolve dependencies",
    "failed to read artifact descriptor",
    "non-resolvable parent pom",
    "could not resolve all files for configuration",
    "could not resolve all dependencies",
    "could not get resource",
    "could not get '",
    "could not head '",
    "could not download",
    // npm, yarn, pnpm
    "enotfound",
    "eai_again",
    "econnrefused",
    "enetunreach",
    "etimedout ",
    "getaddrinfo enotfound",
    "getaddrinfo eai_again",
    "request to https://registry",
    // pip
    "failed to establish a new connection",
    "could not fetch url",
    "retrying (retry(",
    // Go
    "proxy.golang.org",
    "dial tcp: lookup",
    "go: downloading",
    "module lookup disabled",
    // NuGet and dotnet
    "unable to load the service index",
    "nu1301",
    "unable to resolve '",
    "api.nuget.org",
    // Cargo
    "failed to download from",
    "spurious network error",
    "attempting to make an http request, but --offline was specified",
    "failed to get `",
    "offline mode", // cargo --offline: "no matching package named `x` found … offline mode"
    // Maven offline (mvn -o): the artifact is not in the local repository
    "cannot access central",
    "has not been downloaded from it before",
];

/// The lines of a log that show network attempts, at most `max`, each cut to 500 characters.
pub fn network_lines(log: &Path, max: usize) -> io::Result<Vec<String>> {
    let mut found = Vec::new();
    let mut reader = io::BufReader::new(std::fs::File::open(log)?);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        // Lines are read 64 KiB at a time at most: a huge single line cannot fill memory.
        if (&mut reader).take(64 * 1024).read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        let lower = line.to_lowercase();
        if NEEDLES.iter().any(|n| lower.contains(n)) {
            found.push(cut(line.trim_end(), 500));
            if found.len() >= max {
                break;
            }
        }
    }
    Ok(found)
}

/// The last `n` lines of a log (decoded as UTF-8, UTF-16 or GBK), each cut to 240 characters.
pub fn tail(log: &Path, n: usize) -> io::Result<Vec<String>> {
    let mut f = std::fs::File::open(log)?;
    let len = f.metadata()?.len();
    let start = len.saturating_sub(64 * 1024);
    f.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    let text = crate::text::decode(&bytes).0;
    let mut lines: Vec<&str> = text.lines().collect();
    if start > 0 && !lines.is_empty() {
        lines.remove(0); // cut in the middle
    }
    let from = lines.len().saturating_sub(n);
    Ok(lines[from..]
        .iter()
        .map(|l| cut(l.trim_end_matches('\r'), 240))
        .collect())
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        std::fs::write(&p, text).unwrap();
        network_lines(&p, 50).unwrap()
    }

    #[test]
    fn recognises_each_tool() {
        let samples = [
            "curl: (6) Could not resolve host: example.com",
            "fatal: unable to access 'https://github.com/x/y.git/': Could not resolve host: github.com",
            "[ERROR] Failed to execute goal on project his: Could not resolve dependencies for project com.x:his:jar:1.0: Could not transfer artifact org.springframework:spring-core:pom:5.3.0 from/to central (https://repo.maven.apache.org/maven2): repo.maven.apache.org: Temporary failure in name resolution",
            "> Could not resolve all files for configuration ':app:compileClasspath'.",
            "npm error request to https://registry.npmjs.org/left-pad failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org",
            "npm ERR! code ENOTFOUND",
            "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/requests/",
            "go: github.com/gin-gonic/gin@v1.9.1: Get \"https://proxy.golang.org/github.com/gin-gonic/gin/@v/v1.9.1.mod\": dial tcp: lookup proxy.golang.org on 127.0.0.53:53: server misbehaving",
            "error NU1301: Unable to load the service index for source https://api.nuget.org/v3/index.json.",
            "error: failed to download from `https://static.crates.io/crates/serde/1.0.0/download`",
            "java.net.UnknownHostException: repo1.maven.org",
            "wget: unable to resolve host address 'example.com'",
        ];
        for s in samples {
            assert_eq!(lines_of(s).len(), 1, "not recognised: {s}");
        }
    }

    #[test]
    fn ordinary_build_output_is_not_network() {
        let text = "cc -O2 -c main.c\n[INFO] BUILD SUCCESS\nCompiling hello v0.1.0\nnetwork.c:12: warning: unused variable\nSUCCESS: 12 tests passed\n";
        assert!(lines_of(text).is_empty());
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        let text: String = (1..=100).map(|i| i.to_string() + "\n").collect();
        std::fs::write(&p, text).unwrap();
        let t = tail(&p, 3).unwrap();
        assert_eq!(t, ["98", "99", "100"]);
    }
}
