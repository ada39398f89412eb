// The simulator's records as MT5 writes them in JSON (MT5-WEBAPI §5): PascalCase fields, numbers as
// strings, money with the group's currency digits.

import type { Mt5State, SimDeal, SimGroup, SimPosition, SimUser } from './state.js';

const money = (n: number, digits: number) => n.toFixed(digits);

export function userRecord(u: SimUser, state: Mt5State): Record<string, string> {
  const digits = state.digitsOf(u.Login);
  return {
    Login: String(u.Login),
    Group: u.Group,
    Rights: String(u.Rights),
    Registration: String(u.Registration),
    LastAccess: String(u.LastAccess),
    Name: u.Name,
    Email: u.Email,
    Country: u.Country,
    Comment: u.Comment,
    Leverage: String(u.Leverage),
    Balance: money(u.Balance, digits),
    Credit: money(u.Credit, digits),
  };
}

export function accountRecord(u: SimUser, state: Mt5State): Record<string, string> {
  const digits = state.digitsOf(u.Login);
  const open = state.positions.filter((p) => p.Login === u.Login);
  const profit = open.reduce((a, p) => a + p.Profit, 0);
  const equity = u.Balance + u.Credit + profit;
  // Margin as a forex CFD's: lots (Volume is 1/10000 lot) x 100,000 contract x open price / leverage.
  const margin = open.reduce((a, p) => a + ((p.Volume / 10_000) * 100_000 * p.PriceOpen) / u.Leverage, 0);
  return {
    Login: String(u.Login),
    CurrencyDigits: String(digits),
    Balance: money(u.Balance, digits),
    Credit: money(u.Credit, digits),
    Margin: money(margin, digits),
    MarginFree: money(equity - margin, digits),
    MarginLevel: margin > 0 ? ((equity / margin) * 100).toFixed(2) : '0.00',
    MarginLeverage: String(u.Leverage),
    Profit: money(profit, digits),
    Equity: money(equity, digits),
    SOActivation: '0',
  };
}

export function dealRecord(d: SimDeal, state: Mt5State): Record<string, string> {
  const digits = state.digitsOf(d.Login);
  return {
    Deal: String(d.Deal),
    ExternalID: '',
    Login: String(d.Login),
    Dealer: String(d.Dealer),
    Order: '0',
    Action: String(d.Action),
    Entry: String(d.Entry),
    Reason: String(d.Reason),
    DigitsCurrency: String(digits),
    Time: String(d.Time),
    TimeMsc: String(d.TimeMsc),
    Symbol: d.Symbol,
    Price: d.Price.toFixed(5),
    Volume: String(d.Volume),
    Profit: money(d.Profit, digits),
    Storage: money(0, digits),
    Commission: money(0, digits),
    Comment: d.Comment,
  };
}

export function positionRecord(p: SimPosition, state: Mt5State): Record<string, string> {
  const digits = state.digitsOf(p.Login);
  return {
    Position: String(p.Position),
    ExternalID: '',
    Login: String(p.Login),
    Symbol: p.Symbol,
    Action: String(p.Action),
    TimeCreate: String(p.TimeCreate),
    TimeUpdate: String(p.TimeCreate),
    PriceOpen: p.PriceOpen.toFixed(5),
    PriceCurrent: p.PriceCurrent.toFixed(5),
    Volume: String(p.Volume),
    Profit: money(p.Profit, digits),
    Storage: money(0, digits),
    Comment: p.Comment,
  };
}

export function groupRecord(g: SimGroup): Record<string, string> {
  return { Group: g.Group, Server: '1', Company: g.Company, Currency: g.Currency, CurrencyDigits: String(g.CurrencyDigits), MarginCall: '100', MarginStopOut: '50', LeverageMax: String(g.LeverageMax) };
}
