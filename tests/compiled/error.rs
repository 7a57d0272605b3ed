// A compile error: a value of the wrong type.
fn main() {
    let n: i32 = "three";
    println!("{}", n);
}
