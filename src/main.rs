//! The `callrecords` command-line tool.

fn main() {
    eprintln!("callrecords: not yet implemented");
    std::process::exit(2);
}
