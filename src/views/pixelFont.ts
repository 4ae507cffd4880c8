/**
 * A 5×7 bitmap font for printable ASCII (space to `~`), the classic LCD font:
 * five columns per glyph, two hex digits each, the low bit the top row.
 * Stored as data so an image needs no font file, native library or download.
 */
// prettier-ignore
const GLYPHS: readonly string[] = [
  "0000000000", "00005f0000", "0007000700", "147f147f14", "242a7f2a12", // space ! " # $
  "2313086462", "3649552250", "0005030000", "001c224100", "0041221c00", // % & ' ( )
  "142a1c2a14", "08083e0808", "0050300000", "0808080808", "0060600000", // * + , - .
  "2010080402", "3e5149453e", "00427f4000", "4261514946", "2141454b31", // / 0 1 2 3
  "1814127f10", "2745454539", "3c4a494930", "0171090503", "3649494936", // 4 5 6 7 8
  "064949291e", "0036360000", "0056360000", "0814224100", "1414141414", // 9 : ; < =
  "0041221408", "0201510906", "324979413e", "7e1111117e", "7f49494936", // > ? @ A B
  "3e41414122", "7f4141221c", "7f49494941", "7f09090101", "3e41415132", // C D E F G
  "7f0808087f", "00417f4100", "2040413f01", "7f08142241", "7f40404040", // H I J K L
  "7f0204027f", "7f0408107f", "3e4141413e", "7f09090906", "3e4151215e", // M N O P Q
  "7f09192946", "4649494931", "01017f0101", "3f4040403f", "1f2040201f", // R S T U V
  "7f2018207f", "6314081463", "0304780403", "6151494543", "007f414100", // W X Y Z [
  "0204081020", "0041417f00", "0402010204", "4040404040", "0001020400", // \ ] ^ _ `
  "2054545478", "7f48444438", "3844444420", "384444487f", "3854545418", // a b c d e
  "087e090102", "0c5252523e", "7f08040478", "00447d4000", "2040443d00", // f g h i j
  "007f102844", "00417f4000", "7c04180478", "7c08040478", "3844444438", // k l m n o
  "7c14141408", "081414187c", "7c08040408", "4854545420", "043f444020", // p q r s t
  "3c4040207c", "1c2040201c", "3c4030403c", "4428102844", "0c5050503c", // u v w x y
  "4464544c44", "0008364100", "00007f0000", "0041360800", "0804081008", // z { | } ~
];

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

/** An outlined box, drawn for any character the font does not have. */
const PLACEHOLDER = "7f4141417f";

/** The columns of a character's glyph (bit r set: row r is ink); the placeholder box outside the font. */
export function glyphColumns(char: string): readonly number[] {
  const code = char.length === 1 ? char.charCodeAt(0) : -1;
  const hex = GLYPHS[code - 0x20] ?? PLACEHOLDER;
  return [0, 2, 4, 6, 8].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/** Whether the font draws this character itself (not as the placeholder box). */
export function hasGlyph(char: string): boolean {
  const code = char.length === 1 ? char.charCodeAt(0) : -1;
  return code >= 0x20 && code <= 0x7e;
}
