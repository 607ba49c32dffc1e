package cc.container.dcp.internal;

/**
 * Orders package versions: numeric parts numerically ({@code 1.10 > 1.9}), other parts as text, a release after its
 * pre-releases ({@code 1.0 > 1.0-rc1}).
 */
final class Versions {
	private Versions() {
	}

	static int compare(String a, String b) {
		if (a == null || b == null) {
			return a == null ? (b == null ? 0 : -1) : 1;
		}
		String[] pa = a.split("[.\\-+_]");
		String[] pb = b.split("[.\\-+_]");
		for (int i = 0; i < Math.max(pa.length, pb.length); i++) {
			if (i >= pa.length) {
				return isNumber(pb[i]) ? -1 : 1; // 1.0 < 1.0.1, but 1.0 > 1.0-rc1
			}
			if (i >= pb.length) {
				return isNumber(pa[i]) ? 1 : -1;
			}
			int c;
			if (isNumber(pa[i]) && isNumber(pb[i])) {
				c = new java.math.BigInteger(pa[i]).compareTo(new java.math.BigInteger(pb[i]));
			} else {
				c = pa[i].compareTo(pb[i]);
			}
			if (c != 0) {
				return c;
			}
		}
		return 0;
	}

	private static boolean isNumber(String s) {
		return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
	}
}
