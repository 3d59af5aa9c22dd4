import { Command } from 'commander';
import { SERVER_VERSION } from '../core/version';
import { createToken, createUser, listUsers, revokeToken } from './admin';
import { serve } from './serve';

/** The `conveyor-server` command line; every command reads the same environment as `serve`. */
export function buildProgram(): Command {
  const program = new Command('conveyor-server')
    .description('Conveyor companion server')
    .version(SERVER_VERSION);

  program.command('serve', { isDefault: true }).description('start the API server').action(serve);

  const users = program.command('users').description('manage users (team mode)');
  users
    .command('create <name>')
    .option('--admin', 'make the user an administrator')
    .option('--json', 'print JSON')
    .action(createUser);
  users.command('list').option('--json', 'print JSON').action(listUsers);

  const tokens = program.command('tokens').description('manage API tokens');
  tokens
    .command('create <user>')
    .description('create a token for a user and print its secret once')
    .option('--name <name>', 'token name', 'cli')
    .option('--expires-in-days <days>', 'expire after this many days')
    .option('--json', 'print JSON')
    .action(createToken);
  tokens.command('revoke <id>').description('revoke a token').action(revokeToken);
  return program;
}
