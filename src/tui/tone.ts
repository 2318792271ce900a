/**
 * Colour props for Ink's <Text> and <Box>, or none at all: Ink colours through its own chalk,
 * which does not read NO_COLOR, so the view drops the props itself when colour is off.
 */
export function tone(color: boolean, name: string): { color?: string } {
  return color ? { color: name } : {}
}

export function borderTone(color: boolean, name: string): { borderColor?: string } {
  return color ? { borderColor: name } : {}
}
