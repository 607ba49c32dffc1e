package cc.container.util.trust;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.config.SecuritySettings.Profile;
import cc.container.util.trust.PrivilegePolicy.Rule;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What packages ask of the host, rule by rule, and what each profile lets through. The policy only reads the options;
 * still, every host path here is a made-up {@code /srv/decoy}, never one of the machine's own folders.
 */
class PrivilegePolicyTest {

	@ParameterizedTest(name = "podman {0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
		--privileged                                 | PRIVILEGED
		--privileged=true                            | PRIVILEGED
		--network host                               | HOST_NETWORK
		--net=host                                   | HOST_NETWORK
		--network ns:/proc/1/ns/net                  | HOST_NAMESPACES
		--pid host                                   | HOST_NAMESPACES
		--pid=host                                   | HOST_NAMESPACES
		--ipc host                                   | HOST_NAMESPACES
		--uts host                                   | HOST_NAMESPACES
		--userns host                                | HOST_NAMESPACES
		--cap-add SYS_ADMIN                          | CAPABILITIES
		--cap-add=NET_ADMIN                          | CAPABILITIES
		--device /dev/ttyUSB0                        | DEVICES
		--device-cgroup-rule=a                       | DEVICES
		-v /srv/decoy:/host                          | HOST_PATHS
		-v/srv/decoy:/host                           | HOST_PATHS
		-v=/srv/decoy:/host                          | HOST_PATHS
		-itv /srv/decoy:/host                        | HOST_PATHS
		-itv/srv/decoy:/host                         | HOST_PATHS
		-e A=1 -tv /srv/decoy:/host                  | HOST_PATHS
		-l= --privileged                             | PRIVILEGED
		--mount '"type=bind",src=/srv/decoy,dst=/h'  | HOST_PATHS
		--log-opt path=/srv/decoy/profile            | HOST_CONTROL
		--log-opt max-size=1m,path=/srv/decoy/x      | HOST_CONTROL
		--runtime=/srv/decoy/evil                    | HOST_CONTROL
		--hooks-dir /srv/decoy                       | HOST_CONTROL
		--conmon-pidfile /srv/decoy/file             | HOST_CONTROL
		--volumes-from other                         | HOST_CONTROL
		--cpu-profile=/srv/decoy/file                | HOST_CONTROL
		--default-mounts-file /srv/decoy/mounts      | HOST_CONTROL
		--replace                                    | HOST_CONTROL
		--annotation run.oci.seccomp_bpf_data=AAAA   | UNCONFINED
		--pod other                                  | HOST_NAMESPACES
		--security-opt seccomp=/srv/decoy/p.json     | UNCONFINED
		--security-opt unmask=/proc/kcore            | UNCONFINED
		--seccomp-policy=image                       | UNCONFINED
		--volume=/srv/decoy:/etc:ro                  | HOST_PATHS
		--mount type=bind,source=/data,target=/data  | HOST_PATHS
		--mount type=bind,src=/data,dst=/data        | HOST_PATHS
		--security-opt seccomp=unconfined            | UNCONFINED
		--security-opt apparmor=unconfined           | UNCONFINED
		--security-opt label=disable                 | UNCONFINED
		--env-file /srv/decoy/env                    | HOST_PATHS
		--rootfs /srv/decoy                          | HOST_PATHS
		""")
	void podmanOptionsThatReachTheHost(String args, Rule rule) {
		assertThat(PrivilegePolicy.podman(args)).singleElement().satisfies(a -> assertThat(a.rule()).isEqualTo(rule));
	}

	@ParameterizedTest(name = "podman {0} asks nothing of the host")
	@CsvSource(delimiter = '|', textBlock = """
		--network none
		--network bridge -p 8080:80
		-v data:/data
		--mount type=volume,source=data,target=/data
		--mount type=tmpfs,target=/tmp
		--tty --init --name x
		--cap-drop ALL --security-opt no-new-privileges
		-e PATH=/host --label note=--privileged
		--privileged=false
		-it -e X=-v/srv/decoy:/host
		-p8080:80 -eX=1 -hbox
		--log-opt max-size=10m --pod new:web --annotation org.example.note=x
		-e VAR=-x --health-cmd 'curl -f http://x' --stop-signal SIGTERM --tmpfs /tmp
		""")
	void podmanOptionsThatDoNot(String args) {
		assertThat(PrivilegePolicy.podman(args)).isEmpty();
	}

	@ParameterizedTest(name = "lxc {0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
		lxc.hook.pre-start = /bin/sh -c touch           | HOOKS
		lxc.hook.start-host = /usr/bin/evil              | HOOKS
		lxc.net.0.script.up = /srv/decoy/evil            | HOOKS
		lxc.net.1.script.down = /srv/decoy/evil          | HOOKS
		lxc.include = /usr/share/lxc/config/common.conf  | INCLUDES
		lxc.mount.fstab = /srv/decoy/fstab               | INCLUDES
		lxc.mount.entry = /srv/data srv none bind 0 0    | HOST_PATHS
		lxc.mount.entry = /srv/decoy etc none rbind,ro 0 0 | HOST_PATHS
		lxc.mount.entry = /dev/ttyUSB0 dev/ttyUSB0 none bind,optional,create=file 0 0 | DEVICES
		lxc.cgroup2.devices.allow = c 188:* rwm          | DEVICES
		lxc.cgroup.devices.allow = a                     | DEVICES
		lxc.net.0.type = none                            | HOST_NETWORK
		lxc.net.0.type = phys                            | DEVICES
		lxc.namespace.keep = net                         | HOST_NETWORK
		lxc.namespace.keep = pid net                     | HOST_NAMESPACES
		lxc.namespace.share.pid = 1                      | HOST_NAMESPACES
		lxc.apparmor.profile = unconfined                | UNCONFINED
		lxc.mount.auto = proc:rw sys:mixed               | PRIVILEGED
		lxc.cap.keep = sys_admin                         | CAPABILITIES
		""")
	void lxcKeysThatReachTheHost(String line, Rule rule) {
		assertThat(PrivilegePolicy.lxc(line + "\n")).singleElement().satisfies(a -> assertThat(a.rule()).isEqualTo(rule));
	}

	@ParameterizedTest(name = "lxc {0} asks nothing of the host")
	@CsvSource(delimiter = '|', textBlock = """
		lxc.hook.version = 1
		lxc.mount.entry = proc proc proc nodev,noexec,nosuid 0 0
		lxc.mount.entry = tmpfs tmp tmpfs defaults 0 0
		lxc.mount.auto = proc:mixed sys:ro cgroup:mixed
		lxc.net.0.type = veth
		lxc.net.0.type = empty
		lxc.apparmor.profile = generated
		# lxc.hook.pre-start = /bin/evil
		lxc.init.cmd = /start.sh
		lxc.cap.drop = sys_module
		""")
	void lxcKeysThatDoNot(String line) {
		assertThat(PrivilegePolicy.lxc(line + "\n")).isEmpty();
	}

	@ParameterizedTest(name = "{0} under {1}: {2}")
	@CsvSource(delimiter = '|', textBlock = """
		--privileged --network host --tty     | STRICT     | privileged mode (--privileged)
		--privileged --network host --tty     | DEFAULT    |
		--cap-add NET_ADMIN --device /dev/x   | DEFAULT    |
		--pid host                            | DEFAULT    | a host namespace (--pid host)
		-v /srv/decoy:/host-etc               | DEFAULT    | a host path (-v /srv/decoy:/host-etc)
		--security-opt seccomp=unconfined     | DEFAULT    |
		--security-opt seccomp=unconfined     | STRICT     | an unconfined security profile (--security-opt seccomp=unconfined)
		--pid host -v /srv/decoy:/host        | PRIVILEGED |
		--network host                        | STRICT     | the host's network (--network host)
		--runtime /srv/decoy/evil             | DEFAULT    | something of the host's that the runtime runs, reads or writes as root (--runtime /srv/decoy/evil)
		""")
	void eachProfileAllowsWhatItSays(String args, Profile profile, String refused) {
		String why = PrivilegePolicy.refusal(PrivilegePolicy.podman(args), profile, "unsigned_packages", List.of());
		if (refused == null) {
			assertThat(why).isNull();
		} else {
			assertThat(why).isEqualTo("it asks for " + refused + ", which the \"" + profile.json() + "\" profile of security.unsigned_packages refuses");
		}
	}

	@ParameterizedTest(name = "{0} with host_paths /srv/data: allowed {1}")
	@CsvSource(delimiter = '|', textBlock = """
		-v /srv/data:/data                | true
		-v /srv/data/sub:/data            | true
		-v /srv/database:/data            | false
		-v /srv/data/../decoy:/data       | false
		-v /srv:/data                     | false
		-v ./rel:/data                    | false
		""")
	void hostPathsListedByTheDeviceAreAllowedUnderAnyProfile(String args, boolean allowed) {
		String why = PrivilegePolicy.refusal(PrivilegePolicy.podman(args), Profile.STRICT, "unsigned_packages", List.of(Path.of("/srv/data")));
		assertThat(why == null).isEqualTo(allowed);
	}

	@ParameterizedTest(name = "lxc hooks under {0}: allowed {1}")
	@CsvSource({ "STRICT, false", "DEFAULT, false", "PRIVILEGED, true" })
	void hooksRunOnlyUnderThePrivilegedProfile(Profile profile, boolean allowed) {
		String why = PrivilegePolicy.refusal(PrivilegePolicy.lxc("lxc.hook.pre-start = /bin/true\n"), profile, "signed_packages", List.of());
		assertThat(why == null).isEqualTo(allowed);
	}

	@ParameterizedTest(name = "podman {0} cannot hide {1}")
	@CsvSource(delimiter = '|', textBlock = """
		--cidfile -e --privileged         | --privileged
		--secret -e -v/srv/decoy:/host    | -v /srv/decoy:/host
		--requires -e --cap-add=SYS_ADMIN | --cap-add SYS_ADMIN
		""")
	void anOptionTheListDoesNotKnowCannotHideTheNextOne(String args, String hidden) {
		// Podman would take "-e" as the first option's value; the policy reads every word that starts with - as an option.
		assertThat(PrivilegePolicy.podman(args)).extracting(PrivilegePolicy.Ask::option).contains(hidden);
	}
}
