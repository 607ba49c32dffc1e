#!/bin/sh
# Installs cc-container-mng from this unpacked distribution onto a device (or into a staging root), or uninstalls it.
# See docs/operations.md. POSIX sh: runs under busybox ash as well as bash.
#
#   install.sh [--prefix DIR] [--destdir DIR] [--bindir DIR] [--unitdir DIR] [--no-enable]
#   install.sh --uninstall [--prefix DIR] [--destdir DIR] [--bindir DIR] [--unitdir DIR] [--purge]
#
# Install: the daemon under PREFIX (default /opt/cc-container-mng), links BINDIR/cc-containerd and BINDIR/containerctl
# (default /usr/bin), /etc/cc-container-mng.conf unless one exists (an existing one is never overwritten), bash
# completion, and the systemd units cc-containerd.service and cc-containerd-shutdown.service in UNITDIR (default
# /lib/systemd/system), enabled and started unless --no-enable or DESTDIR is given. Field upgrades (PREFIX/upgrades)
# are kept: the launcher ignores an upgrade older than the newly shipped bundle.
# Uninstall: stops and disables the units and removes the programs; containers, their data (working_path),
# /etc/cc-container-mng.conf and field upgrades stay. --purge removes those too: every managed container is removed
# through the running daemon first.
set -eu

prefix=/opt/cc-container-mng
destdir=${DESTDIR:-}
bindir=/usr/bin
unitdir=/lib/systemd/system
completiondir=/usr/share/bash-completion/completions
conf=/etc/cc-container-mng.conf
mode=install
enable=yes
purge=no

die() {
	echo "install.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
		--prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
		--destdir) [ $# -ge 2 ] || die "--destdir needs a directory"; destdir=$2; shift 2 ;;
		--bindir) [ $# -ge 2 ] || die "--bindir needs a directory"; bindir=$2; shift 2 ;;
		--unitdir) [ $# -ge 2 ] || die "--unitdir needs a directory"; unitdir=$2; shift 2 ;;
		--no-enable) enable=no; shift ;;
		--uninstall) mode=uninstall; shift ;;
		--purge) purge=yes; shift ;;
		-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) die "unknown option \"$1\" (install.sh --help lists the options)" ;;
	esac
done
case "$prefix" in /*) ;; *) die "--prefix must be an absolute path, not \"$prefix\"" ;; esac
case "$bindir" in /*) ;; *) die "--bindir must be an absolute path, not \"$bindir\"" ;; esac
case "$unitdir" in /*) ;; *) die "--unitdir must be an absolute path, not \"$unitdir\"" ;; esac
[ "$purge" = no ] || [ "$mode" = uninstall ] || die "--purge goes with --uninstall"
if [ -n "$destdir" ]; then
	destdir=$(mkdir -p "$destdir" && cd "$destdir" && pwd)
	enable=no # a staging root is not the running system
fi

src=$(cd "$(dirname "$0")" && pwd)
root=$destdir$prefix
# What the distribution owns under the prefix; everything else there (upgrades/, felix-cache/) is data.
owned="bin conf lib bundle shell console share install.sh"
units="cc-containerd.service cc-containerd-shutdown.service"
systemd_running() {
	[ -z "$destdir" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

install_file() { # mode source target: written beside the target, then renamed over it
	mkdir -p "$(dirname "$3")"
	cp "$2" "$3.tmp-install"
	chmod "$1" "$3.tmp-install"
	mv -f "$3.tmp-install" "$3"
}

link() { # target link
	mkdir -p "$(dirname "$2")"
	ln -sfn "$1" "$2.tmp-install"
	mv -f "$2.tmp-install" "$2"
}

if [ "$mode" = install ]; then
	[ -x "$src/bin/cc-containerd" ] && [ -d "$src/bundle" ] || die "$src is not an unpacked cc-container-mng distribution"
	[ "$src" != "$root" ] || die "the distribution is already at $root; unpack it elsewhere to install it"
	mkdir -p "$root"
	# The programs are replaced as a whole (a jar dropped by this version must not linger); data stays.
	staging="$root/.install-new"
	rm -rf "$staging"
	mkdir -p "$staging"
	for d in $owned; do
		if [ -e "$src/$d" ]; then cp -R "$src/$d" "$staging/"; fi
	done
	# An integrator's JVM options survive a reinstall.
	if [ -f "$root/conf/jvm.options" ] && ! cmp -s "$root/conf/jvm.options" "$src/conf/jvm.options"; then
		cp "$root/conf/jvm.options" "$staging/conf/jvm.options"
		echo "kept the edited $prefix/conf/jvm.options; the shipped one is $prefix/conf/jvm.options.shipped"
		cp "$src/conf/jvm.options" "$staging/conf/jvm.options.shipped"
	fi
	for d in $owned; do
		if [ -e "$staging/$d" ]; then
			rm -rf "$root/$d.old-install"
			if [ -e "$root/$d" ]; then mv "$root/$d" "$root/$d.old-install"; fi
			mv "$staging/$d" "$root/$d"
			rm -rf "$root/$d.old-install"
		fi
	done
	rmdir "$staging"
	chmod 755 "$root/bin/cc-containerd" "$root/bin/containerctl" "$root/install.sh"

	link "$prefix/bin/cc-containerd" "$destdir$bindir/cc-containerd"
	link "$prefix/bin/containerctl" "$destdir$bindir/containerctl"
	if [ -e "$destdir$conf" ]; then
		echo "kept the existing $conf; the shipped default is $prefix/conf/cc-container-mng.conf"
	else
		install_file 644 "$src/conf/cc-container-mng.conf" "$destdir$conf"
	fi
	install_file 644 "$src/share/bash-completion/containerctl" "$destdir$completiondir/containerctl"
	mkdir -p "$destdir$unitdir"
	for u in $units; do
		sed -e "s#@BINDIR@#$bindir#g" -e "s#@PREFIX@#$prefix#g" -e "s#@CONF@#$conf#g" "$src/share/systemd/$u" > "$destdir$unitdir/$u.tmp-install"
		chmod 644 "$destdir$unitdir/$u.tmp-install"
		mv -f "$destdir$unitdir/$u.tmp-install" "$destdir$unitdir/$u"
	done
	echo "installed cc-container-mng in $root"
	if [ "$enable" = yes ] && systemd_running; then
		systemctl daemon-reload
		systemctl enable cc-containerd-shutdown.service cc-containerd.service
		# A running daemon is restarted into the new version; its containers keep running (KillMode=process).
		# The shutdown unit is only started: stopping it (a restart would) stops every container.
		systemctl start cc-containerd-shutdown.service
		systemctl restart cc-containerd.service
		echo "cc-containerd is enabled and running (systemctl status cc-containerd)"
	elif [ "$enable" = yes ]; then
		echo "systemd is not running here: start $bindir/cc-containerd --config-file $conf by other means"
	fi
	command -v java >/dev/null 2>&1 || [ -n "${JAVA_HOME:-}" ] || echo "note: no java on the PATH; cc-containerd needs a Java 17 or newer runtime (JAVA_HOME or PATH)"
	exit 0
fi

# ---------------------------------------------------------------- uninstall
if [ "$purge" = yes ]; then
	ctl="$root/bin/containerctl"
	[ -x "$ctl" ] || die "$root holds no cc-container-mng to purge"
	if ! listing=$("$ctl" --config-file "$destdir$conf" list 2>/dev/null); then
		die "--purge removes every managed container through the daemon, which is not running; start it (systemctl start cc-containerd), or uninstall without --purge"
	fi
	ids=$(printf '%s\n' "$listing" | awk 'NR > 1 { print $1 }')
	for id in $ids; do
		"$ctl" --config-file "$destdir$conf" remove "$id" || die "could not remove container $id; nothing more was removed"
	done
	work=$(sed -n 's/.*"working_path"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$destdir$conf" | head -n 1)
fi
if systemd_running; then
	# The daemon stops; its containers keep running (KillMode=process). The shutdown unit is disabled but not
	# stopped, since stopping it stops every container; it is gone after the next boot.
	systemctl disable --now cc-containerd.service 2>/dev/null || true
	systemctl disable cc-containerd-shutdown.service 2>/dev/null || true
fi
for u in $units; do rm -f "$destdir$unitdir/$u"; done
if systemd_running; then systemctl daemon-reload; fi
for l in cc-containerd containerctl; do
	if [ -L "$destdir$bindir/$l" ]; then rm -f "$destdir$bindir/$l"; fi
done
rm -f "$destdir$completiondir/containerctl"
for d in $owned felix-cache; do rm -rf "${root:?}/$d"; done
if [ "$purge" = yes ]; then
	rm -rf "$root/upgrades"
	if [ -n "${work:-}" ] && [ "$work" != / ]; then rm -rf "$destdir$work"; fi
	rm -f "$destdir$conf"
	echo "purged cc-container-mng: its containers, $root, ${work:-its working path} and $conf are gone"
else
	echo "uninstalled cc-container-mng from $root; containers, their data, $conf and field upgrades stay (--purge removes them)"
fi
rmdir "$root" 2>/dev/null || true
