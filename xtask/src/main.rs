use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => xtask::run::run(&args[1..]),
        Some("test") => xtask::test::test(),
        Some("build") => xtask::builds::build(),
        Some("bench") => xtask::bench::bench(&args[1..]),
        Some("mutants") => xtask::mutants::mutants(),
        _ => {
            eprintln!("usage: cargo xtask run [token-service flags] | cargo xtask test | cargo xtask build | cargo xtask bench [first-paint] | cargo xtask mutants");
            ExitCode::from(2)
        }
    }
}
