import chalk from 'chalk';
import Table from 'cli-table3';

/** A cli-table3 table whose borders and header are coloured only when colour is on. */
export function makeTable(head: string[]): Table.Table {
  const colored = chalk.level > 0;
  return new Table({
    head: colored ? head.map((h) => chalk.bold(h)) : head,
    style: { head: [], border: colored ? ['grey'] : [] },
  });
}
