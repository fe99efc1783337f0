/**
 * A shell script that gives a system container what a kubelet checks for:
 * shared mount propagation of `/`, a `/dev/kmsg` (null, as Sysbox's), the
 * kernel settings the kubelet sets shown with its values where they cannot
 * be changed (without changing the host's), a writable `/proc/sys/net` (the
 * node's own network namespace) where `/proc/sys` is read-only, forwarding
 * and bridged traffic through iptables on.
 *
 * The same preparation as the kubernetes preset's node script, kept here
 * until the sysbox runtime's `kubernetes-node` profile does it for every node.
 */
export function nodePreparationScript(): string {
  return `set -eu
mount --make-rshared /
[ -e /dev/kmsg ] || ln -s /dev/null /dev/kmsg
mkdir -p /run/sandkit-sysctl
for setting in kernel/panic=10 kernel/panic_on_oops=1 vm/overcommit_memory=1; do
  file=/proc/sys/\${setting%=*}
  value=\${setting#*=}
  [ "$(cat "$file")" = "$value" ] && continue
  if ! (cat "$file" > "$file") 2>/dev/null; then
    shown=/run/sandkit-sysctl/$(echo "\${setting%=*}" | tr / _)
    echo "$value" > "$shown"
    mount --bind "$shown" "$file"
  fi
done
if ! (cat /proc/sys/net/ipv4/ip_forward > /proc/sys/net/ipv4/ip_forward) 2>/dev/null; then
  mount --bind /proc/sys/net /proc/sys/net && mount -o remount,bind,rw /proc/sys/net
fi
sysctl -w net.ipv4.ip_forward=1 >/dev/null 2>&1 || true
sysctl -w net.bridge.bridge-nf-call-iptables=1 >/dev/null 2>&1 || true
`;
}
