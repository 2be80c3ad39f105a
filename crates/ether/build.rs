// Record the git revision of the source tree in the binary, for run manifests and `--version`.
//
// Cargo reruns this script when the checked-out commit changes: it watches the files git moves
// on a commit or checkout (HEAD of this worktree, the branch's ref, packed-refs), found through
// git itself, so it works in a plain clone, in a linked worktree (where `.git` is a file: a
// fixed `../../.git/HEAD` does not exist there, which made cargo rerun this script and rebuild
// the crate on every build) and after `git gc` packs the refs. Without git (a source tarball)
// the revision is "unknown".
use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let o = Command::new("git").args(args).output().ok()?;
    o.status.success().then(|| String::from_utf8_lossy(&o.stdout).trim().to_string()).filter(|s| !s.is_empty())
}

fn main() {
    let rev = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=ETHER_GIT_REVISION={rev}");
    println!("cargo:rerun-if-changed=build.rs");
    let abs = |p: String| {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            p
        } else {
            std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p)
        }
    };
    if let (Some(dir), Some(common)) = (git(&["rev-parse", "--git-dir"]), git(&["rev-parse", "--git-common-dir"])) {
        let (dir, common) = (abs(dir), abs(common));
        let mut watch = vec![dir.join("HEAD"), common.join("packed-refs")];
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch.push(common.join(r));
        }
        // only paths that exist: a missing one would make cargo rerun this script every time
        for p in watch.into_iter().filter(|p| p.exists()) {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    }
}
