//! Gives the shared library its soname on Linux, so that a host which loaded it by path
//! (Ruby's uniffi bindings ask for it by name, `impact_conversions`) finds the same copy.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libimpact_conversions.so");
    }
}
