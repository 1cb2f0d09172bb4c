import { execFileSync } from 'node:child_process'

/** One network namespace joined to the host by a veth pair. */
export interface NamespaceLink {
  /** `ip netns` name: run a process inside with `ip netns exec <name> …`. */
  readonly name: string
  /** The host end's address: what a process inside the namespace connects to. */
  readonly hostAddress: string
  /** The namespace end's address. */
  readonly address: string
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })

/**
 * Creates `count` network namespaces, each with its own veth pair to the host on its own
 * /30 (10.201.<i>.0), so traffic from a process inside crosses real interfaces. Names
 * carry this process's pid, and `remove` deletes only what this call created.
 */
export function createNamespaceLinks(count: number): {
  links: NamespaceLink[]
  remove(): void
} {
  const tag = (process.pid % 10_000).toString(36)
  const links: NamespaceLink[] = []
  const remove = () => {
    for (const link of links) {
      try {
        ip('netns', 'del', link.name)
      } catch {
        // Already gone: deleting a namespace also deletes its veth pair.
      }
    }
  }
  try {
    for (let i = 0; i < count; i++) {
      const name = `msfl-${tag}-${i}`
      const host = `vh${tag}${i}`
      const inside = `vn${tag}${i}`
      const subnet = `10.201.${i + 1}`
      ip('netns', 'add', name)
      links.push({ name, hostAddress: `${subnet}.1`, address: `${subnet}.2` })
      ip('link', 'add', host, 'type', 'veth', 'peer', 'name', inside)
      ip('link', 'set', inside, 'netns', name)
      ip('addr', 'add', `${subnet}.1/30`, 'dev', host)
      ip('link', 'set', host, 'up')
      ip('-n', name, 'addr', 'add', `${subnet}.2/30`, 'dev', inside)
      ip('-n', name, 'link', 'set', inside, 'up')
      ip('-n', name, 'link', 'set', 'lo', 'up')
    }
  } catch (error) {
    remove()
    throw error
  }
  return { links, remove }
}

/** Whether this process may create network namespaces (root with `ip` available). */
export function canCreateNamespaces(): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
