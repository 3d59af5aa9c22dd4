import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from '../core/logger';
import type { StepNetwork } from './runtime';

const exec = promisify(execFile);

/** One rule, as iptables arguments after the action (-C/-I/-A/-D) and the chain. */
type Rule = string[];

/**
 * The host side of the step network. `Internal: true` keeps steps off the outside world, but a
 * packet from a step container to the host itself (the gateway, or any host address) goes through
 * the host's INPUT chain, so a host service listening on all interfaces would answer it. This puts
 * every packet from the step subnet through a chain of its own that accepts only the tracking
 * listener's port on the gateway and drops the rest. Needs root (CAP_NET_ADMIN) and iptables;
 * without them it says so once and the step network stays as it is.
 */
export class StepFirewall {
  private warned = false;

  constructor(
    private readonly logger: Logger,
    private readonly iptables = 'iptables'
  ) {}

  /** The chain of one step network (iptables chain names are at most 28 characters). */
  static chain(network: Pick<StepNetwork, 'id'>): string {
    return `CONVEYOR-STEPS-${network.id.slice(0, 12)}`;
  }

  /**
   * Lets the subnet reach only `gateway:port` (nothing at all when `port` is null); true when the
   * rules are in place. `established`: also admit the subnet's answers to connections the host
   * opened (a workspace's JupyterLab answering the proxy); steps are never connected to.
   */
  async allowOnly(network: StepNetwork, port: number | null, options: { established?: boolean } = {}): Promise<boolean> {
    const chain = StepFirewall.chain(network);
    try {
      await this.run(['-N', chain]).catch(err => {
        if (!/exists/i.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
      });
      await this.ensure('INPUT', this.jump(network), 'insert');
      if (port !== null) await this.ensure(chain, this.accept(network, port), 'insert');
      if (options.established) await this.ensure(chain, ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'], 'insert');
      await this.ensure(chain, ['-j', 'DROP'], 'append');
      this.logger.debug({ chain, subnet: network.subnet, port }, 'step firewall: only the tracking listener answers steps');
      return true;
    } catch (err) {
      if (!this.warned) {
        this.logger.warn(
          { err: (err as Error).message.split('\n')[0] },
          'could not firewall the step network (needs root and iptables): host services listening on all interfaces are reachable from steps'
        );
      }
      this.warned = true;
      return false;
    }
  }

  /** Removes this listener's accept rule (the chain and its drop rule stay for other servers). */
  async revoke(network: StepNetwork, port: number): Promise<void> {
    await this.run(['-D', StepFirewall.chain(network), ...this.accept(network, port)]).catch(() => undefined);
  }

  /** Removes a step network's chain and its jump (when the network itself is removed). */
  async removeNetwork(network: StepNetwork): Promise<void> {
    const chain = StepFirewall.chain(network);
    await this.run(['-D', 'INPUT', ...this.jump(network)]).catch(() => undefined);
    await this.run(['-F', chain]).catch(() => undefined);
    await this.run(['-X', chain]).catch(() => undefined);
  }

  /** From the step subnet, but not the host talking to its own gateway address (over lo). */
  private jump(network: StepNetwork): Rule {
    return ['-s', network.subnet, '!', '-i', 'lo', '-j', StepFirewall.chain(network)];
  }

  private accept(network: StepNetwork, port: number): Rule {
    return ['-p', 'tcp', '-d', network.gateway, '--dport', String(port), '-j', 'ACCEPT'];
  }

  /** Adds a rule unless it is there: inserted first (accepts, the jump) or appended (the final drop). */
  private async ensure(chain: string, rule: Rule, where: 'insert' | 'append'): Promise<void> {
    const present = await this.run(['-C', chain, ...rule]).then(
      () => true,
      () => false
    );
    if (!present) await this.run([where === 'insert' ? '-I' : '-A', chain, ...(where === 'insert' ? ['1'] : []), ...rule]);
  }

  private async run(args: string[]): Promise<void> {
    // -w: wait for the xtables lock instead of failing while Docker edits its own rules.
    await exec(this.iptables, ['-w', ...args], { timeout: 10_000 });
  }
}
