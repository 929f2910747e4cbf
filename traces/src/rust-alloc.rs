// rust-alloc: a Rust program (LLVM-built, std's allocator is glibc malloc)
// with threads whose vectors grow by doubling (realloc, which glibc turns
// into mremap once they are mmapped), a hash map, and large boxed buffers
// dropped in between.
use std::collections::HashMap;
use std::thread;

fn work(seed: u64) -> u64 {
    let mut s = seed;
    let mut v: Vec<u64> = Vec::new();
    let mut m: HashMap<u64, Vec<u8>> = HashMap::new();
    for i in 0..400_000u64 {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        v.push(s);
        if i % 1000 == 0 {
            m.insert(s >> 40, vec![i as u8; ((s >> 33) % (512 * 1024)) as usize]);
        }
        if i % 50_000 == 0 {
            let big = vec![1u8; 8 << 20];
            s ^= big[big.len() - 1] as u64;
        }
    }
    m.retain(|k, _| k % 2 == 0);
    v.iter().fold(0, |a, x| a ^ x) ^ m.len() as u64
}

fn main() {
    let handles: Vec<_> = (1..=4).map(|k| thread::spawn(move || work(k))).collect();
    let total = handles.into_iter().fold(0, |a, h| a ^ h.join().unwrap());
    println!("done {:x}", total);
}
