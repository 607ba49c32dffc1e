package cc.container.dcp.internal;

import cc.container.api.InstallException;
import cc.container.api.config.SecuritySettings;
import cc.container.util.dcp.PackageReader;
import cc.container.util.trust.Keys;
import cc.container.util.trust.PrivilegePolicy;
import java.io.IOException;
import java.util.List;

/**
 * Whether the device trusts a verified package, before the runtime sees it: its signature (docs/security.md), then
 * what it asks of the host against the privilege profile that its signature earns it.
 */
final class PackageTrust {
	private PackageTrust() {
	}

	/**
	 * Checks the package's signature.
	 *
	 * @param file the package's name, for the sentences
	 * @return the name of the trusted key that signed it, or null when it is not signed (and need not be)
	 */
	static String signer(PackageReader.Verified v, SecuritySettings s, String file) throws InstallException {
		if (v.signature() == null) {
			if (s.requireSignedPackages()) {
				throw refused(file + " is not signed, and security.require_signed_packages requires a signature by a key of " + s.trustedKeys());
			}
			return null;
		}
		List<Keys.Trusted> keys;
		try {
			keys = Keys.trusted(s.trustedKeys());
		} catch (IOException e) {
			throw new InstallException(InstallException.Kind.FAILED, "the trusted keys cannot be read: " + e.getMessage(), e);
		}
		String signer = Keys.signer(v.manifestBytes(), v.signature(), keys);
		if (signer == null) {
			throw refused(file + " is signed, but by no key trusted in " + s.trustedKeys() + " (" + keys.size()
				+ " key(s)), or its manifest was changed after it was signed");
		}
		return signer;
	}

	/**
	 * Checks what the package asks of the host against the profile of a signed ({@code signer} not null) or unsigned
	 * package.
	 */
	static void policy(PackageReader.Verified v, String signer, SecuritySettings s, String file) throws InstallException {
		List<PrivilegePolicy.Ask> asks;
		if (v.manifest().runtime().equals("podman")) {
			try {
				asks = PrivilegePolicy.podman(v.manifest().createArgs());
			} catch (IllegalArgumentException e) {
				throw refused(file + ": its create_args cannot be read as words (" + e.getMessage() + ")");
			}
		} else {
			String config;
			try {
				config = PrivilegePolicy.lxcConfig(v.payload());
			} catch (IOException e) {
				throw new InstallException(InstallException.Kind.BAD_PACKAGE, file + ": its LXC bundle is refused: " + e.getMessage(), e);
			}
			if (config == null) {
				// The driver would refuse it too; refused here, nothing of it can reach the runtime unchecked.
				throw refused(file + ": its LXC bundle has no config file and rootfs/ folder, neither at its top nor in one single top-level folder");
			}
			asks = PrivilegePolicy.lxc(config);
		}
		boolean signed = signer != null;
		String why = PrivilegePolicy.refusal(asks, signed ? s.signedPackages() : s.unsignedPackages(), signed ? "signed_packages" : "unsigned_packages",
			s.hostPaths());
		if (why != null) {
			throw refused(file + " is refused: " + why + (signed ? "" : " (a package signed by a trusted key gets \"" + s.signedPackages().json() + "\")"));
		}
	}

	private static InstallException refused(String message) {
		return new InstallException(InstallException.Kind.BAD_PACKAGE, message, null);
	}
}
