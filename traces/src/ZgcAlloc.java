// ZgcAlloc: a short allocation-heavy Java program for recording a JVM
// with ZGC (java -XX:+UseZGC).  Four threads churn through arrays of
// mixed sizes, keeping a sliding window of them live, so ZGC runs several
// cycles, maps its heap views and commits and uncommits heap memory.
import java.util.ArrayList;
import java.util.List;

public class ZgcAlloc {
	static long churn(int seed) {
		List<byte[]> window = new ArrayList<>();
		long sum = 0, s = seed;
		for (int i = 0; i < 20000; i++) {
			s = s * 6364136223846793005L + 1442695040888963407L;
			int size = 1024 + (int) ((s >>> 33) % (256 * 1024));
			byte[] b = new byte[size];
			b[size - 1] = (byte) i;
			window.add(b);
			if (window.size() > 200)
				sum += window.remove(0)[0];
		}
		return sum + window.size();
	}

	public static void main(String[] args) throws Exception {
		Thread[] t = new Thread[4];
		long[] out = new long[t.length];
		for (int i = 0; i < t.length; i++) {
			final int k = i;
			t[i] = new Thread(() -> out[k] = churn(k + 1));
			t[i].start();
		}
		long total = 0;
		for (int i = 0; i < t.length; i++) {
			t[i].join();
			total += out[i];
		}
		System.out.println("done " + total);
	}
}
