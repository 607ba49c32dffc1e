package cc.container.api.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The {@code security} section of the daemon configuration: which packages and bundles the device trusts, and what a
 * package may ask of the host (docs/security.md).
 *
 * @param requireSignedPackages whether a package must carry a signature by a trusted key to be installed
 * @param trustedKeys the folder of the public keys packages may be signed with ({@code *.pub}, PEM); a missing folder
 *        holds none
 * @param requireSignedBundles whether a field-upgrade jar must be signed by a trusted certificate
 * @param trustedCertificates the folder of the certificates field-upgrade jars may be signed by ({@code *.pem}, {@code
 *        *.crt})
 * @param unsignedPackages the privilege profile of a package without a trusted signature
 * @param signedPackages the privilege profile of a package signed by a trusted key
 * @param hostPaths host folders a package may mount under any profile (a bind mount of another host path needs the
 *        {@link Profile#PRIVILEGED} profile)
 */
public record SecuritySettings(boolean requireSignedPackages, Path trustedKeys, boolean requireSignedBundles, Path trustedCertificates,
	Profile unsignedPackages, Profile signedPackages, List<Path> hostPaths) {

	/** The defaults: nothing required, keys and certificates under /etc/cc-container-mng. */
	public static final SecuritySettings DEFAULT = new SecuritySettings(false, Path.of("/etc/cc-container-mng/trusted-keys"), false,
		Path.of("/etc/cc-container-mng/trusted-certificates"), Profile.DEFAULT, Profile.PRIVILEGED, List.of());

	/** Validates that every part is present; copies the list. */
	public SecuritySettings {
		Objects.requireNonNull(trustedKeys, "trustedKeys");
		Objects.requireNonNull(trustedCertificates, "trustedCertificates");
		Objects.requireNonNull(unsignedPackages, "unsignedPackages");
		Objects.requireNonNull(signedPackages, "signedPackages");
		hostPaths = List.copyOf(hostPaths);
	}

	/** What a package may ask of the host: each profile allows what the one before it does, and more. */
	public enum Profile {
		/** Nothing of the host: no privileged mode, host namespaces, capabilities, devices, host paths or hooks. */
		STRICT,
		/**
		 * What the vendor's packages ask for (privileged mode, the host's network, capabilities, devices, no AppArmor or
		 * seccomp profile), but nothing that runs or reads on the host itself: no LXC hooks or includes, no other host
		 * namespace, no host path outside {@code host_paths}.
		 */
		DEFAULT,
		/** Anything: the package is trusted as root is. */
		PRIVILEGED;

		/** Its name in the configuration. */
		public String json() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}
	}
}
