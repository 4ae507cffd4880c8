/**
 * Hundredths of a point as the text people read: 250 → "2.5", -100 → "-1",
 * 25 → "0.25". Trailing zeros are dropped so whole points read as whole numbers.
 */
export function formatPoints(hundredths: number): string {
  const sign = hundredths < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(hundredths));
  const whole = Math.floor(abs / 100);
  const cents = abs % 100;
  if (cents === 0) return `${sign}${whole}`;
  const decimals = String(cents).padStart(2, "0").replace(/0$/, "");
  return `${sign}${whole}.${decimals}`;
}
